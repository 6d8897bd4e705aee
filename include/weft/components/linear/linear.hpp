// Linear models over hand-built features, the classic taggers' machinery shared by the averaged
// perceptron tagger (weft.PerceptronTagger.v1) and the CRF entity recognizer (weft.CRFEntityRecognizer.v1):
// - WordInfo: the context-free facts about a word form that their feature templates read (NLTK's
//   normalized word, affixes, shape, Brown cluster and dictionary tag from a Lexicon), as 64-bit hashes;
// - feature keys: a template id mixed with the hashes it combines (mix64), so no feature string is
//   ever built;
// - SparseWeights: the read-only table inference uses, feature key -> the (class, weight) pairs with a
//   non-zero weight, in one open-addressing array and one flat entry array; saved in a checksummed
//   binary file.
#pragma once

#include <algorithm>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "weft/components/tok2vec/features.hpp"
#include "weft/doc/doc.hpp"
#include "weft/error.hpp"
#include "weft/mix64.hpp"

namespace weft::linear {

struct WordInfo {
  hash_t word = 0;    // NLTK's normalized form: "!HYPHEN", "!YEAR", "!DIGITS" or the lowercase form
  hash_t lower = 0;   // the lowercase form
  hash_t prefix1 = 0, prefix3 = 0;
  hash_t suffix1 = 0, suffix2 = 0, suffix3 = 0, suffix4 = 0;  // code points of the form, case kept
  hash_t shape = 0;   // spaCy's word shape ("Xxxxx", "dd")
  std::uint64_t cluster = 0;  // Brown cluster bit path, reversed (its first bits are the low bits); 0: none
  hash_t dict_tag = 0;        // the lexicon's dictionary tag; 0: none
};

// The facts of a padding word beyond a sentence's edge (NLTK's -START-, -END-): every field the hash
// of `name`, so it matches no real word.
WordInfo padding(std::string_view name);

// The ModelError of a component used before it was trained ("annotate", "save").
ModelError not_trained(const std::string& component, std::string_view factory, std::string_view doing);

// The facts about `form` (valid UTF-8); ASCII forms take a fast path, others go through the lexeme
// functions. `lexicon` may be null.
WordInfo word_info(std::string_view form, const Vocab& vocab, const Lexicon* lexicon);

// The key of template `t` over values a, b.
inline std::uint64_t key(std::uint32_t t, std::uint64_t a, std::uint64_t b = 0) noexcept {
  return mix64(a ^ mix64(b, 0x51ED270B27A5F0C3ull), 0x9E3779B97F4A7C15ull * (t + 1));
}

// The sentences of a Doc as [begin, end) token ranges: split at tokens with sent_start == 1 (the
// whole Doc when it has none); empty for an empty Doc.
std::vector<std::pair<std::size_t, std::size_t>> sentences(const Doc& doc);

// feature key -> (class, weight) pairs; immutable once built.
class SparseWeights {
 public:
  struct Entry {
    std::uint32_t cls;
    float weight;
  };
  SparseWeights() = default;
  // From per-feature entries (zero weights dropped, features left without entries dropped).
  static SparseWeights build(const std::unordered_map<std::uint64_t, std::vector<Entry>>& features);

  // The entries of a feature (empty when it has none).
  std::span<const Entry> find(std::uint64_t key) const noexcept {
    if (slots_.empty()) return {};
    for (std::size_t s = mix64(key) & mask_;; s = (s + 1) & mask_) {
      const Slot& slot = slots_[s];
      if (slot.end == 0) return {};
      if (slot.key == key) return {entries_.data() + slot.begin, entries_.data() + slot.end};
    }
  }
  // scores[cls] += weight for every entry of `key`.
  void add_to(std::uint64_t key, float* scores) const noexcept {
    for (const Entry& e : find(key)) scores[e.cls] += e.weight;
  }
  // The same for n keys, key k adding into out + rows[k] * stride (rows null: all into out). The lookups
  // are memory-bound (a table of megabytes read at random), so they run as a software pipeline: the
  // slot of key k + 16 is prefetched, the slot of key k + 8 probed and its entry range prefetched, and
  // the weights of key k added, so about a dozen cache misses are in flight at any time instead of one.
  void add_all(const std::uint64_t* keys, std::size_t n, float* out, const std::uint32_t* rows = nullptr,
               std::size_t stride = 0) const noexcept {
    if (slots_.empty() || n == 0) return;
    constexpr std::size_t kSlotAhead = 16, kEntryAhead = 8, kRing = 32;
    const Slot* found[kRing];
    for (std::size_t k = 0; k < n + kSlotAhead; ++k) {
      if (k < n) __builtin_prefetch(&slots_[mix64(keys[k]) & mask_]);
      if (k >= kEntryAhead && k - kEntryAhead < n) {
        const std::size_t j = k - kEntryAhead;
        const Slot* hit = nullptr;
        for (std::size_t s = mix64(keys[j]) & mask_;; s = (s + 1) & mask_) {
          const Slot& slot = slots_[s];
          if (slot.end == 0) break;
          if (slot.key == keys[j]) {
            hit = &slot;
            __builtin_prefetch(entries_.data() + slot.begin);
            break;
          }
        }
        found[j % kRing] = hit;
      }
      if (k >= kSlotAhead) {
        const std::size_t i = k - kSlotAhead;
        if (const Slot* hit = found[i % kRing]) {
          float* scores = rows ? out + rows[i] * stride : out;
          for (std::uint32_t e = hit->begin; e < hit->end; ++e) scores[entries_[e].cls] += entries_[e].weight;
        }
      }
    }
  }
  std::size_t features() const noexcept { return n_features_; }
  std::size_t entries() const noexcept { return entries_.size(); }
  // The largest class index + 1 (0 when empty).
  std::uint32_t classes() const noexcept { return classes_; }

  // A binary file: magic, counts, an XXH3 checksum of the payload, then the keys, their entry ranges
  // and the entries. Loading checks every count and the checksum and throws ModelError naming the file.
  void save(const std::filesystem::path& path) const;
  static SparseWeights load(const std::filesystem::path& path);

 private:
  struct Slot {
    std::uint64_t key = 0;
    std::uint32_t begin = 0, end = 0;  // end == 0: empty slot (every feature has an entry)
  };
  void index(std::vector<std::uint64_t> keys, std::vector<std::uint32_t> ends);
  std::vector<Slot> slots_;
  std::vector<Entry> entries_;
  std::size_t mask_ = 0, n_features_ = 0;
  std::uint32_t classes_ = 0;
};

// A lexicon named by a config ("" for none), loaded for training; a model folder keeps its own copy,
// `<dir>/lexicon.tsv`, which from_disk reads (ModelError naming it when it is unreadable).
std::shared_ptr<const Lexicon> load_config_lexicon(const std::string& path, const std::string& component);
void save_lexicon(const std::shared_ptr<const Lexicon>& lexicon, const std::filesystem::path& dir);
std::shared_ptr<const Lexicon> load_model_lexicon(const std::filesystem::path& dir, bool expected);

}  // namespace weft::linear
