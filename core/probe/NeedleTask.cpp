#include "core/probe/NeedleTask.h"

#include <algorithm>
#include <set>

#include "core/util/Error.h"

namespace needlescope {

uint64_t ProbeRng::next() {
    uint64_t z = (state_ += 0x9E3779B97F4A7C15ULL);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
    return z ^ (z >> 31);
}

uint64_t ProbeRng::below(uint64_t bound) {
    if (bound == 0) throw Error("ProbeRng::below needs a positive bound");
    const uint64_t limit = UINT64_MAX - UINT64_MAX % bound;
    uint64_t value = next();
    while (value >= limit) value = next();
    return value % bound;
}

double ProbeRng::unit() { return double(next() >> 11) * (1.0 / 9007199254740992.0); }

uint64_t mixSeed(std::initializer_list<uint64_t> parts) {
    uint64_t seed = 0x6E65656430646C65ULL;  // "needle" + noise
    for (uint64_t part : parts) {
        ProbeRng rng(seed ^ (part + 0x632BE59BD9B4E019ULL));
        seed = rng.next();
    }
    return seed;
}

NeedleTexts needleTexts(const Needle& needle) {
    return {" The special magic number for " + needle.city + " is", " " + needle.number, "."};
}

std::string questionText(const std::string& city) {
    return " What is the special magic number for " + city + "? The special magic number for " + city + " is";
}

const std::vector<std::string>& needleCities() {
    static const std::vector<std::string> cities = {
        "Paris",     "London",    "Tokyo",   "Berlin",    "Madrid",    "Rome",    "Vienna",   "Prague",
        "Lisbon",    "Dublin",    "Oslo",    "Helsinki",  "Stockholm", "Warsaw",  "Budapest", "Athens",
        "Cairo",     "Nairobi",   "Lagos",   "Accra",     "Dakar",     "Tunis",   "Moscow",   "Kyiv",
        "Istanbul",  "Tehran",    "Baghdad", "Delhi",     "Mumbai",    "Karachi", "Dhaka",    "Bangkok",
        "Hanoi",     "Manila",    "Jakarta", "Singapore", "Seoul",     "Beijing", "Shanghai", "Sydney",
        "Melbourne", "Auckland",  "Toronto", "Montreal",  "Chicago",   "Boston",  "Denver",   "Seattle",
        "Houston",   "Miami",     "Lima",    "Bogota",    "Santiago",  "Caracas", "Havana",   "Quito",
        "Brussels",  "Amsterdam", "Zurich",  "Geneva",    "Munich",    "Hamburg", "Milan",    "Naples",
    };
    return cities;
}

std::vector<Needle> drawNeedles(ProbeRng& rng, int count, const std::string& avoid) {
    const auto& cities = needleCities();
    if (count < 1 || count > int(cities.size()))
        throw Error("the number of needles must be between 1 and " + std::to_string(cities.size()) +
                    ", got " + std::to_string(count));
    std::vector<Needle> needles;
    std::set<std::string> usedCities, usedNumbers;
    while (int(needles.size()) < count) {
        Needle n;
        n.city = cities[rng.below(cities.size())];
        n.number = std::to_string(1000000 + rng.below(9000000));
        if (usedCities.count(n.city) || usedNumbers.count(n.number)) continue;
        if (!avoid.empty() &&
            (avoid.find(n.city) != std::string::npos || avoid.find(n.number) != std::string::npos))
            continue;
        usedCities.insert(n.city);
        usedNumbers.insert(n.number);
        needles.push_back(n);
    }
    return needles;
}

std::string questionForNeedle(const std::string& sentence, size_t answerAt) {
    std::string lead = sentence.substr(0, std::min(answerAt, sentence.size()));
    while (!lead.empty() && (lead.back() == ' ' || lead.back() == '\t')) lead.pop_back();
    size_t first = lead.find_first_not_of(" \t");
    lead = first == std::string::npos ? std::string() : lead.substr(first);
    const std::string form = "The special magic number for ";
    const std::string is = " is";
    if (lead.size() > form.size() + is.size() && lead.compare(0, form.size(), form) == 0 &&
        lead.compare(lead.size() - is.size(), is.size(), is) == 0) {
        const std::string city = lead.substr(form.size(), lead.size() - form.size() - is.size());
        if (!city.empty()) return questionText(city);
    }
    return lead.empty() ? std::string() : " " + lead;
}

}  // namespace needlescope
