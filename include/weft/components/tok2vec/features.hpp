// The lexical features a tok2vec embeds: for every token a row of u64 keys, one per feature (NORM,
// SHAPE, an affix of n code points, ...), which MultiHashEmbed hashes into its tables. Keys depend on
// the token's text only (and a token-level norm override), so the keys of words seen in training are
// computed once and cached; other words are computed on the fly, and the cache never grows after
// initialization, so a loaded model is read-only and shared by threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <filesystem>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/json.hpp"
#include "weft/nn/ragged.hpp"

namespace weft {

// Word-level knowledge from outside the training corpus: Brown clusters (a bit path per word, similar
// words share long prefixes) and a log probability from large unlabelled text, and optionally a tag
// from a tagging dictionary; looked up by form, then lowercase form. Read from a TSV file (word,
// cluster, log_prob[, tag]; '#' lines are comments).
//
// The file is memory-mapped, parsed once into an open-addressing table of 24 bytes a word (a node-based
// map and a copy of the text took 16 MB and most of a model's loading time), and kept mapped with its
// pages released, so that a model folder written later gets the file as it was read without the
// process holding its text in memory (a deleted file stays readable through the mapping).
class Lexicon {
 public:
  struct Entry {
    std::uint64_t cluster = 0;
    float log_prob = 0.f;
    std::uint32_t tag = 0;  // index of the dictionary tag (Lexicon::tag); 0: none
  };
  static std::shared_ptr<const Lexicon> load(const std::filesystem::path& path);
  ~Lexicon();
  Lexicon(const Lexicon&) = delete;
  Lexicon& operator=(const Lexicon&) = delete;

  const Entry* find(std::string_view form, const Vocab& vocab) const;
  const Entry* find_exact(hash_t orth) const;
  // The entry of a form (else of its lowercase form) by their hashes.
  const Entry* find(hash_t orth, hash_t lower) const;
  // The dictionary tag of the form (else of its lowercase), or 0.
  hash_t tag(std::string_view form, const Vocab& vocab) const;
  hash_t tag(hash_t orth, hash_t lower) const;
  std::size_t size() const noexcept { return size_; }
  // Writes the file as it was read to `path` (a model folder's copy); nothing when `path` is that
  // file. IOError when it cannot, or when the file has been cut short since it was read.
  void write_copy(const std::filesystem::path& path) const;

 private:
  Lexicon() = default;
  struct Slot {
    hash_t key = 0;  // 0: empty (a word whose hash is 0 lives in zero_)
    Entry entry;
  };
  const Entry* insert(hash_t key, const Entry& e);  // keeps the first entry of a word
  std::vector<Slot> slots_;
  std::size_t mask_ = 0, size_ = 0;
  bool has_zero_ = false;
  Entry zero_;
  std::vector<hash_t> tags_{0};  // tag index -> hash
  std::filesystem::path path_;
  const char* data_ = nullptr;  // the mapping
  std::size_t bytes_ = 0;
  int fd_ = -1;
};

struct FeatureSpec {
  // PROB: the lexicon's log probability of the form (else of its lowercase); CASE: how much likelier
  // the form is than its lowercase (log-probability difference, bucketed), which tells a proper noun
  // ("Apple") from a capitalised common word ("The") even for words never seen in training. TITLE: the
  // same comparison between the word's title-case and lowercase forms whatever its own casing, so a
  // name written in lowercase ("chicago") still looks like a name. TAG: the lexicon's dictionary tag
  // (none: one shared key).
  enum class Kind : std::uint8_t { ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX, CLUSTER, PROB, CASE, TAG, TITLE };
  // ORTH, LOWER and NORM name the word itself: their keys of words never seen in training carry no
  // learnt meaning (see FeatureExtractor::set_unknown_words).
  bool identity() const noexcept { return kind == Kind::ORTH || kind == Kind::LOWER || kind == Kind::NORM; }
  Kind kind = Kind::NORM;
  // PREFIX, SUFFIX: code points of the token's text (case kept); CLUSTER: leading bits of the cluster
  // path (0 = all of it).
  int length = 0;
  std::int64_t rows = 5000;  // rows of the feature's hash-embedding table
  // "NORM", "SHAPE", "PREFIX1", "SUFFIX3", "CLUSTER8": the embedding table's label (lowercased).
  std::string name() const;
  // {"attr": "SUFFIX", "length": 3, "rows": 2500}; length defaults to spaCy's (PREFIX 1, SUFFIX 3).
  static FeatureSpec from_json(const Json& j);
  Json to_json() const;
};

// spaCy's MultiHashEmbed defaults: NORM 5000, PREFIX(1) 2500, SUFFIX(3) 2500, SHAPE 2500.
std::vector<FeatureSpec> default_features();

class FeatureExtractor {
 public:
  FeatureExtractor() = default;
  explicit FeatureExtractor(std::vector<FeatureSpec> specs, std::shared_ptr<const Lexicon> lexicon = nullptr);
  const std::vector<FeatureSpec>& specs() const noexcept { return specs_; }
  bool needs_lexicon() const noexcept { return needs_lexicon(specs_); }
  static bool needs_lexicon(const std::vector<FeatureSpec>& specs) noexcept;
  const std::shared_ptr<const Lexicon>& lexicon() const noexcept { return lexicon_; }
  std::size_t size() const noexcept { return specs_.size(); }

  // Caches the keys of these word forms (training vocabulary): a word's keys are computed on its first
  // use (thread-safe), so that loading a model costs no feature computation. Not thread-safe with
  // extract().
  void cache(std::string_view form, const Vocab& vocab);
  // With `on`, an identity key (ORTH, LOWER, NORM) that no cached word has becomes kUnknownKey, so a
  // word unseen in training gets the one embedding training taught for unknown words (see
  // Tok2VecConfig::word_dropout) instead of hashed rows that other words trained.
  void set_unknown_words(bool on) noexcept { unknown_words_ = on; }
  static constexpr std::uint64_t kUnknownKey = 0x554e4b4e4f574e21ull;
  std::size_t cached() const noexcept { return form_ends_.size(); }
  // The cached word at `row`.
  std::string_view cached_form(std::size_t row) const noexcept {
    const std::size_t begin = row == 0 ? 0 : form_ends_[row - 1];
    return std::string_view(forms_).substr(begin, form_ends_[row] - begin);
  }

  // Character columns after the F feature keys: each token's first and last n/2 code points
  // (nn::CharEmbed::code_points), for character features (0: none).
  void set_char_columns(int n) noexcept { char_columns_ = n; }
  int char_columns() const noexcept { return char_columns_; }
  // Keys per token: F + char_columns().
  std::int64_t columns() const noexcept { return static_cast<std::int64_t>(specs_.size()) + char_columns_; }
  // Keys u64 [N, columns()] for the tokens of `docs` (N = their total length) with the lengths of their
  // sentences (of each whole Doc when it has no sentence starts; empty Docs add none).
  nn::Ragged extract(std::span<const Doc> docs) const;
  // A token's row of extract(): its F keys, then its character columns.
  void row_keys(const Doc& doc, std::size_t i, std::uint64_t* out) const;
  // The sequence lengths extract() gives (sentences, else whole Docs; empty Docs add none).
  static backend::Tensor lengths(std::span<const Doc> docs);
  // The cache row of a word form, or -1.
  std::int64_t cached_row(std::string_view form) const;
  // The keys of the cached word at `row` (size() values), into out.
  void cached_keys(std::int64_t row, const Vocab& vocab, std::uint64_t* out) const;
  // The keys of one token text (appended to out).
  void keys(std::string_view form, hash_t norm_override, const Vocab& vocab, std::uint64_t* out) const;

 private:
  void compute(std::string_view form, const Vocab& vocab, std::uint64_t* out) const;
  // Per feature, the identity keys of the cached words (made on first need).
  const std::vector<std::unordered_set<std::uint64_t>>& known(const Vocab& vocab) const;
  bool unknown_words_ = false;
  int char_columns_ = 0;
  std::vector<FeatureSpec> specs_;
  std::shared_ptr<const Lexicon> lexicon_;
  std::unordered_map<hash_t, std::uint32_t> index_;  // orth -> row
  std::string forms_;                       // the cached words, back to back, in row order
  std::vector<std::uint32_t> form_ends_;    // where each ends in forms_
  // What is filled on first use: each row's keys (state: 0 not yet, 1 being written, 2 done) and the
  // identity keys of all rows.
  struct Lazy {
    std::unique_ptr<std::uint64_t[]> table;
    std::unique_ptr<std::atomic<std::uint8_t>[]> state;
    std::size_t capacity = 0;  // rows
    std::mutex known_mutex;
    std::atomic<bool> known_built{false};
    std::vector<std::unordered_set<std::uint64_t>> known;
  };
  std::unique_ptr<Lazy> lazy_ = std::make_unique<Lazy>();
};

}  // namespace weft
