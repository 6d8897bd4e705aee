// Shared machinery of the linear taggers: word facts, sentences, the sparse weight table and its file.
#include "weft/components/linear/linear.hpp"

#include <algorithm>
#include <cstring>
#include <fstream>

#include "weft/error.hpp"
#include "weft/strings/hash.hpp"
#include "weft/strings/lexeme.hpp"
#include "weft/strings/vocab.hpp"

namespace weft::linear {

namespace {

bool is_ascii(std::string_view s) noexcept {
  for (const char c : s)
    if (static_cast<unsigned char>(c) >= 0x80) return false;
  return true;
}

// Byte offset of the code point `n` code points before the end (0 when the string is shorter).
std::size_t last_code_points(std::string_view s, std::size_t n) noexcept {
  std::size_t i = s.size();
  while (n > 0 && i > 0) {
    --i;
    while (i > 0 && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) --i;
    --n;
  }
  return i;
}

// Byte length of the first `n` code points.
std::size_t first_code_points(std::string_view s, std::size_t n) noexcept {
  std::size_t i = 0;
  while (n > 0 && i < s.size()) {
    ++i;
    while (i < s.size() && (static_cast<unsigned char>(s[i]) & 0xC0) == 0x80) ++i;
    --n;
  }
  return i;
}

const hash_t kHyphen = hash_string("!HYPHEN"), kYear = hash_string("!YEAR"), kDigits = hash_string("!DIGITS");

}  // namespace

WordInfo padding(std::string_view name) {
  WordInfo w;
  const hash_t h = hash_string(name);
  w.word = w.lower = w.prefix1 = w.prefix3 = w.suffix1 = w.suffix2 = w.suffix3 = w.suffix4 = w.shape = h;
  w.cluster = h;
  w.dict_tag = h;
  return w;
}

ModelError not_trained(const std::string& component, std::string_view factory, std::string_view doing) {
  return ModelError("component \"" + component + "\" (" + std::string(factory) + ") has not been trained: cannot " +
                    std::string(doing) + "; train it (weft train, or learn() in Python) or load a trained model");
}

WordInfo word_info(std::string_view form, const Vocab& vocab, const Lexicon* lexicon) {
  WordInfo w;
  const bool ascii = is_ascii(form);
  if (ascii && form.size() < 64) {
    char low[64], shape[64];
    std::size_t n_shape = 0;
    char last = 0;
    int run = 0;
    for (std::size_t i = 0; i < form.size(); ++i) {
      const char c = form[i];
      low[i] = (c >= 'A' && c <= 'Z') ? static_cast<char>(c + 32) : c;
      const char s = (c >= 'A' && c <= 'Z') ? 'X' : (c >= 'a' && c <= 'z') ? 'x' : (c >= '0' && c <= '9') ? 'd' : c;
      run = s == last ? run + 1 : 1;
      last = s;
      if (run <= 4) shape[n_shape++] = s;
    }
    w.lower = hash_string(std::string_view(low, form.size()));
    w.shape = hash_string(std::string_view(shape, n_shape));
  } else {
    w.lower = hash_string(lex::lower(form));
    w.shape = hash_string(lex::shape(form));
  }
  // NLTK's PerceptronTagger.normalize.
  const bool digits = !form.empty() && std::all_of(form.begin(), form.end(), [](char c) { return c >= '0' && c <= '9'; });
  if (form.find('-') != std::string_view::npos && !form.empty() && form[0] != '-') w.word = kHyphen;
  else if (digits && form.size() == 4) w.word = kYear;
  else if (!form.empty() && form[0] >= '0' && form[0] <= '9') w.word = kDigits;
  else w.word = w.lower;
  const auto suffix = [&](std::size_t n) {
    return hash_string(form.substr(ascii ? (form.size() > n ? form.size() - n : 0) : last_code_points(form, n)));
  };
  const auto prefix = [&](std::size_t n) {
    return hash_string(form.substr(0, ascii ? std::min(n, form.size()) : first_code_points(form, n)));
  };
  w.prefix1 = prefix(1);
  w.prefix3 = prefix(3);
  w.suffix1 = suffix(1);
  w.suffix2 = suffix(2);
  w.suffix3 = suffix(3);
  w.suffix4 = suffix(4);
  if (lexicon) {
    const hash_t orth = hash_string(form);
    if (const Lexicon::Entry* e = lexicon->find(orth, w.lower)) w.cluster = e->cluster;
    w.dict_tag = lexicon->tag(orth, w.lower);
  }
  (void)vocab;
  return w;
}

std::vector<std::pair<std::size_t, std::size_t>> sentences(const Doc& doc) {
  std::vector<std::pair<std::size_t, std::size_t>> out;
  std::size_t begin = 0;
  for (std::size_t i = 1; i < doc.size(); ++i)
    if (doc.data(i).sent_start == 1) {
      out.emplace_back(begin, i);
      begin = i;
    }
  if (doc.size() > 0) out.emplace_back(begin, doc.size());
  return out;
}

SparseWeights SparseWeights::build(const std::unordered_map<std::uint64_t, std::vector<Entry>>& features) {
  // Sorted keys, so the same weights always make the same file.
  std::vector<std::uint64_t> keys;
  keys.reserve(features.size());
  for (const auto& [k, entries] : features)
    if (std::any_of(entries.begin(), entries.end(), [](const Entry& e) { return e.weight != 0.f; })) keys.push_back(k);
  std::sort(keys.begin(), keys.end());
  SparseWeights w;
  std::vector<std::uint32_t> ends;
  ends.reserve(keys.size());
  for (const std::uint64_t k : keys) {
    std::vector<Entry> entries = features.at(k);
    std::sort(entries.begin(), entries.end(), [](const Entry& a, const Entry& b) { return a.cls < b.cls; });
    for (const Entry& e : entries)
      if (e.weight != 0.f) w.entries_.push_back(e);
    ends.push_back(static_cast<std::uint32_t>(w.entries_.size()));
  }
  w.index(std::move(keys), std::move(ends));
  return w;
}

void SparseWeights::index(std::vector<std::uint64_t> keys, std::vector<std::uint32_t> ends) {
  n_features_ = keys.size();
  classes_ = 0;
  for (const Entry& e : entries_) classes_ = std::max(classes_, e.cls + 1);
  std::size_t cap = 16;
  while (cap < keys.size() * 2) cap *= 2;
  slots_.assign(keys.empty() ? 0 : cap, Slot{});
  mask_ = cap - 1;
  std::uint32_t begin = 0;
  for (std::size_t f = 0; f < keys.size(); ++f) {
    std::size_t s = mix64(keys[f]) & mask_;
    while (slots_[s].end != 0) s = (s + 1) & mask_;
    slots_[s] = Slot{keys[f], begin, ends[f]};
    begin = ends[f];
  }
}

namespace {

constexpr char kMagic[8] = {'W', 'E', 'F', 'T', 'L', 'I', 'N', '1'};

}  // namespace

void SparseWeights::save(const std::filesystem::path& path) const {
  std::vector<std::uint64_t> keys;
  std::vector<std::uint32_t> ends;
  std::vector<const Slot*> used;
  for (const Slot& s : slots_)
    if (s.end != 0) used.push_back(&s);
  std::sort(used.begin(), used.end(), [](const Slot* a, const Slot* b) { return a->begin < b->begin; });
  for (const Slot* s : used) {
    keys.push_back(s->key);
    ends.push_back(s->end);
  }
  std::string payload;
  const auto put = [&](const void* p, std::size_t n) { payload.append(static_cast<const char*>(p), n); };
  put(keys.data(), keys.size() * sizeof(std::uint64_t));
  put(ends.data(), ends.size() * sizeof(std::uint32_t));
  put(entries_.data(), entries_.size() * sizeof(Entry));
  const std::uint64_t header[3] = {keys.size(), entries_.size(), hash_string(payload)};
  std::ofstream out(path, std::ios::binary);
  out.write(kMagic, sizeof kMagic);
  out.write(reinterpret_cast<const char*>(header), sizeof header);
  out.write(payload.data(), static_cast<std::streamsize>(payload.size()));
  if (!out) throw IOError("cannot write " + path.string());
}

SparseWeights SparseWeights::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw ModelError("cannot open " + path.string());
  const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  const auto bad = [&](const std::string& why) { return ModelError(path.string() + ": " + why); };
  constexpr std::size_t head = sizeof kMagic + 3 * sizeof(std::uint64_t);
  if (bytes.size() < head || std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0)
    throw bad("not a weft linear-model weights file (bad header)");
  std::uint64_t header[3];
  std::memcpy(header, bytes.data() + sizeof kMagic, sizeof header);
  const std::uint64_t n_keys = header[0], n_entries = header[1];
  const std::string_view payload(bytes.data() + head, bytes.size() - head);
  if (n_keys > payload.size() || n_entries > payload.size() ||
      payload.size() != n_keys * (sizeof(std::uint64_t) + sizeof(std::uint32_t)) + n_entries * sizeof(Entry))
    throw bad("its size does not match its counts (" + std::to_string(n_keys) + " features, " +
              std::to_string(n_entries) + " weights): truncated or corrupt");
  if (hash_string(payload) != header[2]) throw bad("checksum mismatch: the file is corrupt");
  std::vector<std::uint64_t> keys(n_keys);
  std::vector<std::uint32_t> ends(n_keys);
  SparseWeights w;
  w.entries_.resize(n_entries);
  const char* p = payload.data();
  std::memcpy(keys.data(), p, n_keys * sizeof(std::uint64_t));
  p += n_keys * sizeof(std::uint64_t);
  std::memcpy(ends.data(), p, n_keys * sizeof(std::uint32_t));
  p += n_keys * sizeof(std::uint32_t);
  std::memcpy(w.entries_.data(), p, n_entries * sizeof(Entry));
  std::uint32_t prev = 0;
  for (const std::uint32_t e : ends) {
    if (e <= prev || e > n_entries) throw bad("entry ranges out of order: corrupt");
    prev = e;
  }
  if (n_keys > 0 && ends.back() != n_entries) throw bad("entry ranges do not cover the weights: corrupt");
  for (std::size_t i = 1; i < keys.size(); ++i)
    if (keys[i] <= keys[i - 1]) throw bad("feature keys out of order: corrupt");
  w.index(std::move(keys), std::move(ends));
  return w;
}

std::shared_ptr<const Lexicon> load_config_lexicon(const std::string& path, const std::string& component) {
  if (path.empty()) return nullptr;
  try {
    return Lexicon::load(path);
  } catch (const Error& e) {
    throw ConfigError("component \"" + component + "\": cannot read its \"lexicon\" " + path + ": " + e.what());
  }
}

void save_lexicon(const std::shared_ptr<const Lexicon>& lexicon, const std::filesystem::path& dir) {
  if (lexicon) lexicon->write_copy(dir / "lexicon.tsv");
}

std::shared_ptr<const Lexicon> load_model_lexicon(const std::filesystem::path& dir, bool expected) {
  const auto path = dir / "lexicon.tsv";
  if (!expected) return nullptr;
  if (!std::filesystem::exists(path)) throw ModelError(path.string() + " is missing (the config names a lexicon)");
  try {
    return Lexicon::load(path);
  } catch (const Error& e) {
    throw ModelError(path.string() + ": " + e.what());
  }
}

}  // namespace weft::linear
