// Tree counting, label selection and the lookup fallback. See
// include/weft/components/lemmatizer/lemma_trees.hpp.
#include "weft/components/lemmatizer/lemma_trees.hpp"

#include <algorithm>
#include <fstream>
#include <sstream>

#include <simdjson.h>

#include "weft/json.hpp"

#include "weft/error.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

std::string LemmaTrees::key(std::string_view form, UPOS pos) {
  // The UPOS byte goes first: forms are arbitrary UTF-8, so a trailing separator could be ambiguous.
  std::string k(1, static_cast<char>(pos));
  k += form;
  return k;
}

bool LemmaTrees::observe(std::string_view form, std::string_view lemma, UPOS pos) {
  if (frozen_) throw ValueError("LemmaTrees: observe() after freeze()");
  if (lemma.empty() || lemma == "_") return false;
  if (utf8::length(form) > EditTrees::kMaxLength || utf8::length(lemma) > EditTrees::kMaxLength) return false;
  ++tree_counts_[trees_.add(form, lemma)];
  ++lemma_counts_[key(form, pos)][std::string(lemma)];
  return true;
}

void LemmaTrees::freeze(std::uint32_t min_count) {
  if (frozen_) throw ValueError("LemmaTrees: freeze() called twice");
  std::vector<std::pair<tree_id, std::uint32_t>> kept;
  for (const auto& [tree, n] : tree_counts_)
    if (n >= min_count) kept.emplace_back(tree, n);
  std::sort(kept.begin(), kept.end(),
            [](const auto& a, const auto& b) { return a.second != b.second ? a.second > b.second : a.first < b.first; });
  for (const auto& [tree, n] : kept) {
    label_index_.emplace(tree, labels_.size());
    labels_.push_back(tree);
  }
  for (auto& [k, lemmas] : lemma_counts_) {
    // Most frequent lemma; ties go to the smallest string so the table does not depend on hash order.
    const std::pair<const std::string, std::uint32_t>* best = nullptr;
    for (const auto& entry : lemmas)
      if (!best || entry.second > best->second || (entry.second == best->second && entry.first < best->first))
        best = &entry;
    lookup_.emplace(k, best->first);
    if (lemmas.size() == 1 && best->second >= 2) certain_.insert(k);
  }
  lemma_counts_.clear();
  index_lookup();
  frozen_ = true;
}

std::uint32_t LemmaTrees::count(tree_id tree) const noexcept {
  const auto it = tree_counts_.find(tree);
  return it == tree_counts_.end() ? 0 : it->second;
}

std::size_t LemmaTrees::label_of(std::string_view form, std::string_view lemma) const {
  const auto tree = trees_.find(form, lemma);
  if (!tree) return fallback_label();
  const auto it = label_index_.find(*tree);
  return it == label_index_.end() ? fallback_label() : it->second;
}

std::optional<std::string_view> LemmaTrees::lookup(std::string_view form, UPOS pos) const {
  const auto it = lookup_.find(key(form, pos));
  if (it == lookup_.end()) return std::nullopt;
  return std::string_view(it->second);
}

std::uint64_t LemmaTrees::fast_key(std::string_view form, UPOS pos) noexcept {
  return hash_string(form) ^ ((static_cast<std::uint64_t>(pos) + 1) * 0x9E3779B97F4A7C15ull);
}

void LemmaTrees::index_lookup() {
  fast_.clear();
  fast_.reserve(lookup_.size());
  for (const auto& [k, lemma] : lookup_)
    fast_[fast_key(std::string_view(k).substr(1), static_cast<UPOS>(k[0]))] =
        Entry{std::string_view(lemma), hash_string(lemma), certain_.count(k) > 0};
}

const LemmaTrees::Entry* LemmaTrees::entry(std::string_view form, UPOS pos) const {
  const auto it = fast_.find(fast_key(form, pos));
  return it == fast_.end() ? nullptr : &it->second;
}

std::vector<std::string_view> LemmaTrees::lookup_lemmas() const {
  std::vector<std::string_view> out;
  out.reserve(lookup_.size());
  for (const auto& [k, lemma] : lookup_) out.emplace_back(lemma);
  return out;
}

std::optional<std::string_view> LemmaTrees::unambiguous(std::string_view form, UPOS pos) const {
  const std::string k = key(form, pos);
  if (!certain_.count(k)) return std::nullopt;
  return std::string_view(lookup_.find(k)->second);
}

std::string LemmaTrees::fallback(std::string_view form, UPOS pos) const {
  if (const auto hit = lookup(form, pos)) return std::string(*hit);
  if (pos == UPOS::PROPN) return std::string(form);
  return unicode::lower(form);
}

std::string LemmaTrees::lemmatize(std::string_view form, UPOS pos, std::span<const std::size_t> ranked) const {
  std::string out;
  for (const std::size_t label : ranked) {
    if (label >= labels_.size()) break;
    if (trees_.apply_to(labels_[label], form, out)) return out;
  }
  return fallback(form, pos);
}

void LemmaTrees::save(const std::filesystem::path& dir) const {
  if (!frozen_) throw ValueError("LemmaTrees: save() before freeze()");
  std::filesystem::create_directories(dir);
  {
    std::ofstream out(dir / "trees.bin", std::ios::binary);
    out << trees_.serialize();
    if (!out) throw IOError("cannot write " + (dir / "trees.bin").string());
  }
  // Lookup entries sorted, so the file does not depend on hash order.
  std::vector<std::pair<std::string, std::string>> entries(lookup_.begin(), lookup_.end());
  std::sort(entries.begin(), entries.end());
  Json lookup = Json::array();
  for (const auto& [k, lemma] : entries)
    lookup.push_back(Json::array({std::string(upos_name(static_cast<UPOS>(k[0]))), k.substr(1), lemma, certain_.count(k) ? 1 : 0}));
  Json j = Json::object();
  j["labels"] = labels_;
  Json counts = Json::array();
  for (const tree_id t : labels_) counts.push_back(count(t));
  j["counts"] = counts;
  j["lookup"] = lookup;
  std::ofstream out(dir / "lemma_trees.json", std::ios::binary);
  out << j.dump() << '\n';
  if (!out) throw IOError("cannot write " + (dir / "lemma_trees.json").string());
}

LemmaTrees LemmaTrees::load(const std::filesystem::path& dir) {
  LemmaTrees t;
  const auto trees_path = dir / "trees.bin";
  std::ifstream tin(trees_path, std::ios::binary);
  if (!tin) throw ModelError("cannot open " + trees_path.string());
  std::stringstream bytes;
  bytes << tin.rdbuf();
  try {
    t.trees_ = EditTrees::deserialize(bytes.str(), trees_path.string());
  } catch (const ModelError&) {
    throw;
  } catch (const Error& e) {
    throw ModelError(trees_path.string() + ": " + e.what());
  }
  const auto path = dir / "lemma_trees.json";
  // simdjson: the lookup table's twenty thousand entries took nlohmann's parser a tenth of a model's
  // loading time.
  simdjson::padded_string text;
  if (simdjson::padded_string::load(path.string()).get(text)) throw ModelError("cannot open " + path.string());
  try {
    simdjson::dom::parser parser;
    simdjson::dom::element root;
    if (const auto err = parser.parse(text).get(root)) throw ModelError(std::string("invalid JSON: ") + simdjson::error_message(err));
    const auto need = [](auto result, const char* what) {
      if (result.error()) throw ModelError(std::string("expected ") + what);
      return result.value_unsafe();
    };
    std::vector<tree_id> labels;
    std::vector<std::uint32_t> counts;
    for (const simdjson::dom::element e : need(root["labels"].get_array(), "\"labels\": an array"))
      labels.push_back(static_cast<tree_id>(need(e.get_uint64(), "\"labels\" of unsigned integers")));
    for (const simdjson::dom::element e : need(root["counts"].get_array(), "\"counts\": an array"))
      counts.push_back(static_cast<std::uint32_t>(need(e.get_uint64(), "\"counts\" of unsigned integers")));
    if (counts.size() != labels.size()) throw ModelError("labels and counts differ in length");
    for (std::size_t i = 0; i < labels.size(); ++i) {
      if (labels[i] >= t.trees_.size()) throw ModelError("label " + std::to_string(i) + " names no tree");
      t.label_index_.emplace(labels[i], i);
      t.tree_counts_[labels[i]] = counts[i];
    }
    t.labels_ = labels;
    const simdjson::dom::array lookup = need(root["lookup"].get_array(), "\"lookup\": an array");
    t.lookup_.reserve(lookup.size());
    for (const simdjson::dom::element e : lookup) {
      simdjson::dom::array a;
      std::string_view pos_name, form, lemma;
      std::int64_t certain = 0;
      const bool ok = !e.get_array().get(a) && (a.size() == 3 || a.size() == 4) && !a.at(0).get_string().get(pos_name) &&
                      !a.at(1).get_string().get(form) && !a.at(2).get_string().get(lemma) &&
                      (a.size() == 3 || !a.at(3).get_int64().get(certain));
      const auto pos = ok ? upos_from_name(pos_name) : std::nullopt;
      if (!ok || !pos) throw ModelError("bad lookup entry " + simdjson::minify(e));
      std::string k = key(form, *pos);
      if (certain == 1) t.certain_.insert(k);
      t.lookup_.emplace(std::move(k), std::string(lemma));
    }
  } catch (const ModelError& e) {
    throw ModelError(path.string() + ": " + e.what());
  } catch (const std::exception& e) {
    throw ModelError(path.string() + ": " + e.what());
  }
  t.index_lookup();
  t.frozen_ = true;
  return t;
}

}  // namespace weft
