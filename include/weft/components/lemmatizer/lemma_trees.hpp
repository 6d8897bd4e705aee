// The label set of the trainable lemmatizer: from (form, lemma, UPOS) training triples it counts edit
// trees and keeps the frequent ones as classifier labels (rare ones share one fallback label), and keeps
// a (form, UPOS) -> most frequent lemma table, so prediction can still answer when none of the
// classifier's top trees fits the form: lookup, else the lowercased form (the form itself for PROPN).
#pragma once

#include <cstdint>
#include <filesystem>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

#include "weft/components/lemmatizer/edit_tree.hpp"
#include "weft/doc/upos.hpp"
#include "weft/strings/hash.hpp"

namespace weft {

class LemmaTrees {
 public:
  // Counts one training token. Tokens without a lemma ("" or "_") or longer than
  // EditTrees::kMaxLength are skipped (returns false).
  bool observe(std::string_view form, std::string_view lemma, UPOS pos);
  // Fixes the labels: trees seen at least `min_count` times, most frequent first (ties by tree id), and
  // the lookup table. observe() after freeze() throws ValueError.
  void freeze(std::uint32_t min_count);
  bool frozen() const noexcept { return frozen_; }

  const EditTrees& trees() const noexcept { return trees_; }
  // Kept trees; label i is labels()[i], and label labels().size() is the fallback.
  const std::vector<tree_id>& labels() const noexcept { return labels_; }
  std::size_t fallback_label() const noexcept { return labels_.size(); }
  std::uint32_t count(tree_id tree) const noexcept;
  // Distinct root trees seen in training (before the min_count cut).
  std::size_t distinct_trees() const noexcept { return tree_counts_.size(); }
  // The training label of a pair: its tree's label when kept, else fallback_label().
  std::size_t label_of(std::string_view form, std::string_view lemma) const;

  // The most frequent training lemma of (form, pos), if any (the table is filled by freeze()).
  std::optional<std::string_view> lookup(std::string_view form, UPOS pos) const;
  // The training lemma of (form, pos) when training saw it with that one lemma only (at least twice):
  // a pair such as (her, PRON), which is "she" or "her" by context, gives nullopt.
  std::optional<std::string_view> unambiguous(std::string_view form, UPOS pos) const;
  // The lookup entry of (form, pos) without building a key string (prediction's hot path).
  struct Entry {
    std::string_view lemma;
    hash_t lemma_hash = 0;
    bool certain = false;  // seen >= 2 times, always with this lemma
  };
  const Entry* entry(std::string_view form, UPOS pos) const;
  // Every lemma of the lookup table (to intern them once into a Vocab).
  std::vector<std::string_view> lookup_lemmas() const;
  // What prediction answers when no tree fits: lookup, else lowercased form (PROPN: the form).
  std::string fallback(std::string_view form, UPOS pos) const;
  // The lemma of `form`: the first label in `ranked` (best first; fallback_label() and out-of-range
  // entries stop the walk) whose tree fits, else fallback().
  std::string lemmatize(std::string_view form, UPOS pos, std::span<const std::size_t> ranked) const;

  // A frozen label set to dir/trees.bin (EditTrees::serialize) and dir/lemma_trees.json (labels and
  // lookup table); load() checks both and throws ModelError naming the file.
  void save(const std::filesystem::path& dir) const;
  static LemmaTrees load(const std::filesystem::path& dir);

 private:
  static std::string key(std::string_view form, UPOS pos);

  EditTrees trees_;
  bool frozen_ = false;
  std::unordered_map<tree_id, std::uint32_t> tree_counts_;
  std::unordered_map<tree_id, std::size_t> label_index_;
  std::vector<tree_id> labels_;
  std::unordered_map<std::string, std::unordered_map<std::string, std::uint32_t>> lemma_counts_;  // until freeze
  std::unordered_map<std::string, std::string> lookup_;
  std::unordered_set<std::string> certain_;  // keys of lookup_ seen >= 2 times, always with one lemma
  std::unordered_map<std::uint64_t, Entry> fast_;  // hash of (form, pos) -> entry viewing lookup_
  static std::uint64_t fast_key(std::string_view form, UPOS pos) noexcept;
  void index_lookup();
};

}  // namespace weft
