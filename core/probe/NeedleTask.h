#pragma once
// The needle task of DESIGN §4: "The special magic number for {city} is {7-digit number}." and its cloze
// question, with cities and numbers drawn from a small portable seeded generator (the same seed gives
// the same needles on every platform and for every model).
#include <cstdint>
#include <string>
#include <vector>

namespace needlescope {

// SplitMix64: tiny, portable and well mixed. Bounded draws use rejection, never the standard library's
// distributions (whose output differs between standard libraries).
class ProbeRng {
  public:
    explicit ProbeRng(uint64_t seed) : state_(seed) {}
    uint64_t next();
    uint64_t below(uint64_t bound);  // uniform in [0, bound); bound must be > 0
    double unit();                   // uniform in [0, 1)

  private:
    uint64_t state_;
};

// Mixes several values into one seed (order matters), e.g. (probe seed, context length, sample).
uint64_t mixSeed(std::initializer_list<uint64_t> parts);

struct Needle {
    std::string city;
    std::string number;  // exactly 7 decimal digits, the first one non-zero

    bool operator==(const Needle& other) const { return city == other.city && number == other.number; }
};

// The texts a prompt is assembled from. Every part but the first starts with a space, so each cut
// between parts falls before a space, where the tokenizer never merges: encoding the parts separately
// gives the same tokens as encoding the whole sentence (and exact spans).
struct NeedleTexts {
    std::string lead;    // " The special magic number for {city} is"
    std::string answer;  // " {number}"
    std::string tail;    // "."
    std::string sentence() const { return lead + answer + tail; }
};

NeedleTexts needleTexts(const Needle& needle);
// " What is the special magic number for {city}? The special magic number for {city} is"
std::string questionText(const std::string& city);

const std::vector<std::string>& needleCities();  // the fixed list the generator draws from

// `count` needles with pairwise different cities and numbers; none whose city or number occurs in `avoid`
// (a custom needle's sentence), which leaves the draws of an empty `avoid` unchanged.
std::vector<Needle> drawNeedles(ProbeRng& rng, int count, const std::string& avoid = {});

// The cloze question for a custom needle sentence whose answer begins at byte `answerAt`: the generator's
// question when the sentence has the generator's form ("… magic number for {city} is …"), else the
// sentence up to its answer ("Remember that the password is"). Starts with a space, as questionText does.
std::string questionForNeedle(const std::string& sentence, size_t answerAt);

}  // namespace needlescope
