#include "core/data/TokenCache.h"

#include <unistd.h>

#include <filesystem>
#include <optional>
#include <system_error>

#include "core/data/FileIO.h"
#include "core/data/Hash.h"
#include "core/data/ParallelEncode.h"
#include "core/data/TokenFile.h"
#include "core/data/TrainingInput.h"
#include "core/util/Error.h"

namespace needlescope {
namespace fs = std::filesystem;

namespace {

// Bump when the tokenizer recipe (in the shim) or the text preparation changes: old caches then miss.
constexpr const char* kRecipe =
    "needlescope-token-cache/1 spm-bpe identity keep-whitespace no-dummy-prefix split-digits byte-fallback "
    "unk0-bos1-eos2 train-lines-16384";

std::string idsFile(const fs::path& folder, Split split) {
    return (folder / (std::string(splitName(split)) + ".ids")).string();
}

uint64_t fileHash(const std::string& path) {
    const std::string bytes = readFileBytes(path);
    return hash64(bytes.data(), bytes.size());
}

std::vector<int32_t>& splitIds(PreparedCorpus& prepared, Split split) {
    switch (split) {
        case Split::Train:
            return prepared.train;
        case Split::Valid:
            return prepared.valid;
        case Split::Test:
            return prepared.test;
    }
    return prepared.test;
}

void removeQuietly(const fs::path& path) {
    std::error_code ec;
    fs::remove(path, ec);
}

// Trains the tokenizer on the train split and installs it as <folder>/tokenizer.model.
void trainInto(const fs::path& folder, const std::string& trainText, const TokenizerSettings& settings) {
    const std::string unique = std::to_string(::getpid());
    const fs::path input = folder / ("train-input." + unique + ".txt");
    const fs::path prefix = folder / ("tokenizer." + unique);
    writeTrainingInput(trainText, input.string());
    try {
        Tokenizer::train(input.string(), prefix.string(), settings.vocabSize, settings.threads);
    } catch (...) {
        removeQuietly(input);
        removeQuietly(prefix.string() + ".model");
        removeQuietly(prefix.string() + ".vocab");
        throw;
    }
    removeQuietly(input);
    std::error_code ec;
    // rename() replaces atomically, so a concurrent reader sees the old model or the new one.
    fs::rename(prefix.string() + ".vocab", folder / "tokenizer.vocab", ec);
    fs::rename(prefix.string() + ".model", folder / "tokenizer.model", ec);
    if (ec) throw Error((folder / "tokenizer.model").string() + ": cannot be written (" + ec.message() + ")");
}

}  // namespace

std::string tokenCacheKey(const std::map<Split, std::string>& splitTexts, const TokenizerSettings& settings) {
    Hasher64 hasher;
    hasher.update(kRecipe).updateU64(static_cast<uint64_t>(settings.vocabSize));
    for (const auto& [split, text] : splitTexts) {
        hasher.update(splitName(split)).updateU64(text.size()).update(text);
    }
    return toHex(hasher.digest());
}

PreparedCorpus prepareCorpus(const CorpusInfo& corpus, const TokenizerSettings& settings,
                             const std::string& cacheDir, const ProgressFn& progress) {
    const auto report = [&](const std::string& stage, double fraction) {
        if (progress) progress(stage, fraction);
    };
    requireSplits(corpus, {Split::Train, Split::Valid});
    if (cacheDir.empty()) throw Error("No cache folder was given for the token cache");

    report("Reading corpus", 0.0);
    std::map<Split, std::string> texts;
    for (const auto& entry : corpus.files) texts[entry.first] = readSplit(corpus, entry.first);
    report("Reading corpus", 1.0);

    PreparedCorpus prepared;
    prepared.corpus = corpus;
    prepared.cacheKey = tokenCacheKey(texts, settings);
    const fs::path folder = fs::path(cacheDir) / "tokenized" / prepared.cacheKey;
    prepared.cacheFolder = folder.string();
    ensureDirectory(prepared.cacheFolder);
    removeStaleTempFiles(prepared.cacheFolder);  // what a tokenizer run killed half-way left behind
    const std::string modelPath = (folder / "tokenizer.model").string();

    // 1. Reuse what the cache holds, checking each file.
    report("Loading cached tokens", 0.0);
    std::optional<Tokenizer> tokenizer;
    uint64_t modelHash = 0;
    std::map<Split, std::vector<int32_t>> ids;
    if (fs::exists(modelPath)) {
        try {
            tokenizer = Tokenizer::load(modelPath);
            modelHash = fileHash(modelPath);
        } catch (const Error& e) {
            prepared.cacheNotes.push_back(e.what());
            tokenizer.reset();
        }
    }
    if (tokenizer) {
        for (const auto& entry : texts) {
            const std::string file = idsFile(folder, entry.first);
            if (!fs::exists(file)) continue;
            try {
                TokenFile cached = readTokenFile(file);
                if (cached.modelHash == modelHash) {
                    ids[entry.first] = std::move(cached.ids);
                } else {
                    prepared.cacheNotes.push_back(file + ": made by a different tokenizer model");
                }
            } catch (const Error& e) {
                prepared.cacheNotes.push_back(e.what());
            }
        }
        // A model that no intact id file vouches for may itself be damaged: train a fresh one.
        if (ids.empty()) {
            prepared.cacheNotes.push_back(modelPath + ": no intact cached ids match it; retraining");
            tokenizer.reset();
        }
    }
    report("Loading cached tokens", 1.0);

    // 2. Train the tokenizer when there is no trustworthy one.
    if (!tokenizer) {
        report("Training tokenizer", 0.0);
        trainInto(folder, texts.at(Split::Train), settings);
        tokenizer = Tokenizer::load(modelPath);
        modelHash = fileHash(modelPath);
        prepared.trainedTokenizer = true;
        ids.clear();
        report("Training tokenizer", 1.0);
    }

    // 3. Encode (and cache) every split the cache could not supply.
    bool encodedAny = false;
    for (const auto& [split, text] : texts) {
        if (ids.count(split)) continue;
        const std::string stage = std::string("Encoding ") + splitName(split) + " split";
        report(stage, 0.0);
        ids[split] = encodeParallel(*tokenizer, text, settings.threads,
                                    [&](double fraction) { report(stage, fraction); });
        writeTokenFile(idsFile(folder, split), ids[split], modelHash);
        encodedAny = true;
    }
    if (encodedAny) {
        writeFileAtomically(
            (folder / "info.txt").string(),
            corpus.describe() + "\nvocabulary " + std::to_string(settings.vocabSize) + "\n" + kRecipe + "\n");
    }

    for (auto& [split, splitTokens] : ids) splitIds(prepared, split) = std::move(splitTokens);
    prepared.tokenizer = std::move(*tokenizer);
    prepared.fromCache = !prepared.trainedTokenizer && !encodedAny;
    return prepared;
}

}  // namespace needlescope
