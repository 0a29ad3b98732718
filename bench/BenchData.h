#pragma once
// `needlescope-cli bench data`: tokenizer training, encoding and cached-load speed on a corpus.
#include <string>

namespace needlescope::bench {

// Times, on the corpus at `dataDir`: training the tokenizer on the train split, encoding the train
// split, and loading the prepared corpus from the token cache (in a scratch folder removed afterwards).
// Prints seconds and MB/s for each and the targets (encode < 15 s, cached load < 0.5 s). Returns 0.
int runDataBench(const std::string& dataDir, int vocabSize, int threads);

}  // namespace needlescope::bench
