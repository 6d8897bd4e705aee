#include "weft/components/tok2vec/features.hpp"

#include "weft/nn/char_embed.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <charconv>
#include <deque>
#include <system_error>

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include "weft/error.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

struct KindName {
  FeatureSpec::Kind kind;
  const char* name;
};
constexpr KindName kKinds[] = {{FeatureSpec::Kind::ORTH, "ORTH"},     {FeatureSpec::Kind::LOWER, "LOWER"},
                               {FeatureSpec::Kind::NORM, "NORM"},     {FeatureSpec::Kind::SHAPE, "SHAPE"},
                               {FeatureSpec::Kind::PREFIX, "PREFIX"}, {FeatureSpec::Kind::SUFFIX, "SUFFIX"},
                               {FeatureSpec::Kind::CLUSTER, "CLUSTER"}, {FeatureSpec::Kind::PROB, "PROB"},
                               {FeatureSpec::Kind::CASE, "CASE"},       {FeatureSpec::Kind::TAG, "TAG"},
                               {FeatureSpec::Kind::TITLE, "TITLE"}};

const char* kind_name(FeatureSpec::Kind k) {
  for (const auto& kn : kKinds)
    if (kn.kind == k) return kn.name;
  return "?";
}

std::string_view prefix_of(std::string_view s, int n) {
  std::size_t i = 0;
  for (int k = 0; k < n && i < s.size(); ++k) utf8::next(s, i);
  return s.substr(0, i);
}

// How much likelier one casing of a word is than another (CASE, TITLE): log-probability difference in
// 25 buckets, or which of the two the lexicon lacks.
std::uint64_t casing_key(const Lexicon::Entry* cased, const Lexicon::Entry* lower) {
  if (!cased && !lower) return 2;
  if (!cased) return 3;  // only the lowercase form is known
  if (!lower) return 4;  // only the cased form is known
  const long diff = std::lround(cased->log_prob - lower->log_prob);
  return 16 + static_cast<std::uint64_t>(std::clamp(diff, -12L, 12L) + 12);
}

// The first code point uppercased, the rest lowercased.
std::string title_case(std::string_view form) {
  std::size_t i = 0;
  const char32_t first = utf8::next(form, i);
  std::string out;
  utf8::append(out, unicode::to_upper(first));
  out += unicode::lower(form.substr(i));
  return out;
}

std::string_view suffix_of(std::string_view s, int n) {
  std::size_t i = s.size();
  for (int k = 0; k < n && i > 0; ++k) utf8::prev(s, i);
  return s.substr(i);
}

}  // namespace

std::string FeatureSpec::name() const {
  std::string n = kind_name(kind);
  if (kind == Kind::PREFIX || kind == Kind::SUFFIX || (kind == Kind::CLUSTER && length > 0)) n += std::to_string(length);
  std::transform(n.begin(), n.end(), n.begin(), [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return n;
}

FeatureSpec FeatureSpec::from_json(const Json& j) {
  if (!j.is_object() || !j.contains("attr") || !j["attr"].is_string())
    throw ValueError("a tok2vec feature needs a string \"attr\" (ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX, CLUSTER, PROB, CASE, TAG, TITLE): got " +
                     j.dump());
  FeatureSpec s;
  const std::string attr = j["attr"].get<std::string>();
  bool found = false;
  for (const auto& kn : kKinds)
    if (attr == kn.name) {
      s.kind = kn.kind;
      found = true;
    }
  if (!found) throw ValueError("unknown tok2vec feature attr \"" + attr + "\" (known: ORTH, LOWER, NORM, SHAPE, PREFIX, SUFFIX, CLUSTER, PROB, CASE, TAG, TITLE)");
  check_config_keys(j, {"attr", "length", "rows"}, "tok2vec feature " + j.dump());
  if (s.kind == Kind::PREFIX) s.length = 1;
  if (s.kind == Kind::SUFFIX) s.length = 3;
  if (j.contains("length")) {
    if (s.kind != Kind::PREFIX && s.kind != Kind::SUFFIX && s.kind != Kind::CLUSTER)
      throw ValueError("tok2vec feature " + attr + " takes no \"length\"");
    s.length = j["length"].get<int>();
    if (s.kind == Kind::CLUSTER ? s.length < 0 || s.length > 64 : s.length < 1 || s.length > 16)
      throw ValueError("tok2vec feature " + attr + ": length out of range");
  }
  if (j.contains("rows")) s.rows = j["rows"].get<std::int64_t>();
  if (s.rows < 1) throw ValueError("tok2vec feature " + attr + ": rows must be >= 1");
  return s;
}

Json FeatureSpec::to_json() const {
  Json j = Json::object();
  j["attr"] = kind_name(kind);
  if (kind == Kind::PREFIX || kind == Kind::SUFFIX || kind == Kind::CLUSTER) j["length"] = length;
  j["rows"] = rows;
  return j;
}

std::vector<FeatureSpec> default_features() {
  using K = FeatureSpec::Kind;
  return {{K::NORM, 0, 5000}, {K::PREFIX, 1, 2500}, {K::SUFFIX, 3, 2500}, {K::SHAPE, 0, 2500}};
}

FeatureExtractor::FeatureExtractor(std::vector<FeatureSpec> specs, std::shared_ptr<const Lexicon> lexicon)
    : specs_(std::move(specs)), lexicon_(std::move(lexicon)) {
  if (specs_.empty()) throw ValueError("a tok2vec needs at least one feature");
  if (needs_lexicon() && !lexicon_) throw ValueError("tok2vec features CLUSTER, PROB, CASE, TAG and TITLE need a lexicon file");
}

bool FeatureExtractor::needs_lexicon(const std::vector<FeatureSpec>& specs) noexcept {
  return std::any_of(specs.begin(), specs.end(), [](const FeatureSpec& s) {
    return s.kind == FeatureSpec::Kind::CLUSTER || s.kind == FeatureSpec::Kind::PROB || s.kind == FeatureSpec::Kind::CASE ||
           s.kind == FeatureSpec::Kind::TAG || s.kind == FeatureSpec::Kind::TITLE;
  });
}

const Lexicon::Entry* Lexicon::find_exact(hash_t orth) const {
  if (orth == 0) return has_zero_ ? &zero_ : nullptr;
  if (slots_.empty()) return nullptr;
  for (std::size_t i = static_cast<std::size_t>(orth) & mask_;; i = (i + 1) & mask_) {
    const Slot& s = slots_[i];
    if (s.key == orth) return &s.entry;
    if (s.key == 0) return nullptr;
  }
}

const Lexicon::Entry* Lexicon::insert(hash_t key, const Entry& e) {
  if (key == 0) {
    if (!has_zero_) zero_ = e, has_zero_ = true;
    return &zero_;
  }
  for (std::size_t i = static_cast<std::size_t>(key) & mask_;; i = (i + 1) & mask_) {
    Slot& s = slots_[i];
    if (s.key == key) return &s.entry;
    if (s.key == 0) {
      s.key = key;
      s.entry = e;
      ++size_;
      return &s.entry;
    }
  }
}

Lexicon::~Lexicon() {
  if (data_ != nullptr) ::munmap(const_cast<char*>(data_), bytes_);
  if (fd_ >= 0) ::close(fd_);
}

std::shared_ptr<const Lexicon> Lexicon::load(const std::filesystem::path& path) {
  std::shared_ptr<Lexicon> lex(new Lexicon());
  lex->path_ = path;
  lex->fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  struct stat st {};
  if (lex->fd_ < 0 || ::fstat(lex->fd_, &st) != 0 || !S_ISREG(st.st_mode)) throw IOError("cannot open lexicon " + path.string());
  lex->bytes_ = static_cast<std::size_t>(st.st_size);
  if (lex->bytes_ > 0) {
    void* m = ::mmap(nullptr, lex->bytes_, PROT_READ, MAP_PRIVATE, lex->fd_, 0);
    if (m == MAP_FAILED) throw IOError("cannot read lexicon " + path.string());
    lex->data_ = static_cast<const char*>(m);
    ::madvise(m, lex->bytes_, MADV_SEQUENTIAL);
  }
  const std::string_view text(lex->data_, lex->bytes_);
  // A table at most three quarters full.
  std::size_t lines = 0;
  for (const char c : text) lines += c == '\n';
  std::size_t cap = 16;
  while (cap * 3 < (lines + 1) * 4) cap *= 2;
  lex->slots_.assign(cap, Slot{});
  lex->mask_ = cap - 1;
  const bool all_valid = utf8::valid(text);  // else each line is checked, to name the bad one
  std::unordered_map<hash_t, std::uint32_t> tag_ids;
  constexpr std::size_t kAhead = 16;
  std::deque<std::pair<hash_t, Entry>> pending;
  std::size_t no = 0, at = 0;
  while (at < text.size()) {
    const std::size_t nl = text.find('\n', at);
    const std::string_view line = text.substr(at, nl == std::string_view::npos ? std::string_view::npos : nl - at);
    at = nl == std::string_view::npos ? text.size() : nl + 1;
    ++no;
    if (line.empty() || line[0] == '#') continue;
    const auto t1 = line.find('\t'), t2 = line.find('\t', t1 == std::string_view::npos ? t1 : t1 + 1);
    if (t1 == std::string_view::npos || t2 == std::string_view::npos || t1 == 0 || (!all_valid && !utf8::valid(line)))
      throw FormatError(path.string() + ":" + std::to_string(no) + ": expected WORD<TAB>CLUSTER<TAB>LOG_PROB[<TAB>TAG]");
    const auto t3 = line.find('\t', t2 + 1);
    const std::string_view cluster = line.substr(t1 + 1, t2 - t1 - 1);
    const std::string_view prob = line.substr(t2 + 1, t3 == std::string_view::npos ? t3 : t3 - t2 - 1);
    Entry e;
    // std::from_chars first; what it does not take whole goes through stoull / stof, as before.
    const auto c = std::from_chars(cluster.data(), cluster.data() + cluster.size(), e.cluster);
    const auto p = std::from_chars(prob.data(), prob.data() + prob.size(), e.log_prob);
    if (c.ec != std::errc() || c.ptr != cluster.data() + cluster.size() || p.ec != std::errc() ||
        p.ptr != prob.data() + prob.size()) {
      try {
        std::size_t used = 0;
        const std::string cs(cluster), ps(prob);
        e.cluster = std::stoull(cs, &used);
        if (used != cs.size()) throw std::invalid_argument(cs);
        e.log_prob = std::stof(ps, &used);
        if (used != ps.size()) throw std::invalid_argument(ps);
      } catch (const std::exception&) {
        throw FormatError(path.string() + ":" + std::to_string(no) + ": bad cluster or log probability");
      }
    }
    if (t3 != std::string_view::npos && t3 + 1 < line.size()) {
      const hash_t tag = hash_string(line.substr(t3 + 1));
      const auto [it, added] = tag_ids.emplace(tag, static_cast<std::uint32_t>(lex->tags_.size()));
      if (added) lex->tags_.push_back(tag);
      e.tag = it->second;
    }
    // Inserted a few lines later, in order, with the slot prefetched now: the table is larger than the
    // cache, and waiting for each slot was half of the loading time.
    const hash_t key = hash_string(line.substr(0, t1));
    __builtin_prefetch(&lex->slots_[static_cast<std::size_t>(key) & lex->mask_], 1);
    if (pending.size() == kAhead) {
      lex->insert(pending.front().first, pending.front().second);
      pending.pop_front();
    }
    pending.emplace_back(key, e);
  }
  for (const auto& [key, e] : pending) lex->insert(key, e);
  // The text is read again only to copy the file: its pages can go.
  if (lex->data_ != nullptr) ::madvise(const_cast<char*>(lex->data_), lex->bytes_, MADV_DONTNEED);
  return lex;
}

void Lexicon::write_copy(const std::filesystem::path& path) const {
  std::error_code ec;
  if (std::filesystem::equivalent(path, path_, ec)) return;  // the same file
  struct stat st {};
  if (bytes_ > 0 && (::fstat(fd_, &st) != 0 || static_cast<std::size_t>(st.st_size) < bytes_))
    throw IOError("cannot copy the lexicon " + path_.string() + " to " + path.string() + ": it has been cut short since it was read");
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  if (bytes_ > 0) out.write(data_, static_cast<std::streamsize>(bytes_));
  if (!out) throw IOError("cannot write " + path.string());
  if (data_ != nullptr) ::madvise(const_cast<char*>(data_), bytes_, MADV_DONTNEED);
}

const Lexicon::Entry* Lexicon::find(std::string_view form, const Vocab& vocab) const {
  if (const Entry* e = find_exact(hash_string(form))) return e;
  return find_exact(vocab.lexeme(form).lower);
}

const Lexicon::Entry* Lexicon::find(hash_t orth, hash_t lower) const {
  if (const Entry* e = find_exact(orth)) return e;
  return find_exact(lower);
}

hash_t Lexicon::tag(std::string_view form, const Vocab& vocab) const {
  const Entry* exact = find_exact(hash_string(form));
  if (exact && exact->tag != 0) return tags_[exact->tag];
  const Entry* lower = find_exact(vocab.lexeme(form).lower);
  return lower ? tags_[lower->tag] : 0;
}

hash_t Lexicon::tag(hash_t orth, hash_t lower) const {
  const Entry* exact = find_exact(orth);
  if (exact && exact->tag != 0) return tags_[exact->tag];
  const Entry* l = find_exact(lower);
  return l ? tags_[l->tag] : 0;
}

void FeatureExtractor::keys(std::string_view form, hash_t norm_override, const Vocab& vocab, std::uint64_t* out) const {
  const auto it = index_.find(hash_string(form));
  if (it != index_.end()) cached_keys(it->second, vocab, out);
  else compute(form, vocab, out);
  if (norm_override != 0)
    for (std::size_t f = 0; f < specs_.size(); ++f)
      if (specs_[f].kind == FeatureSpec::Kind::NORM) out[f] = norm_override;
  if (unknown_words_ && (it == index_.end() || norm_override != 0)) {
    const auto& known_keys = known(vocab);
    for (std::size_t f = 0; f < specs_.size(); ++f)
      if (specs_[f].identity() && !known_keys[f].count(out[f])) out[f] = kUnknownKey;
  }
}

void FeatureExtractor::cached_keys(std::int64_t row, const Vocab& vocab, std::uint64_t* out) const {
  const std::size_t F = specs_.size(), r = static_cast<std::size_t>(row);
  std::uint64_t* keys = lazy_->table.get() + r * F;
  std::atomic<std::uint8_t>& state = lazy_->state[r];
  if (state.load(std::memory_order_acquire) == 2) {
    std::copy(keys, keys + F, out);
    return;
  }
  compute(cached_form(r), vocab, out);
  std::uint8_t expected = 0;
  if (state.compare_exchange_strong(expected, 1, std::memory_order_acq_rel)) {
    std::copy(out, out + F, keys);
    state.store(2, std::memory_order_release);
  }
}

const std::vector<std::unordered_set<std::uint64_t>>& FeatureExtractor::known(const Vocab& vocab) const {
  Lazy& l = *lazy_;
  if (l.known_built.load(std::memory_order_acquire)) return l.known;
  std::lock_guard lock(l.known_mutex);
  if (!l.known_built.load(std::memory_order_relaxed)) {
    // Only the identity features: the word itself (ORTH), its lowercase and norm.
    l.known.assign(specs_.size(), {});
    for (std::size_t r = 0; r < cached(); ++r) {
      const std::string_view form = cached_form(r);
      const Lexeme lex = vocab.lexeme(form);
      for (std::size_t f = 0; f < specs_.size(); ++f) {
        switch (specs_[f].kind) {
          case FeatureSpec::Kind::ORTH: l.known[f].insert(lex.orth); break;
          case FeatureSpec::Kind::LOWER: l.known[f].insert(lex.lower); break;
          case FeatureSpec::Kind::NORM: l.known[f].insert(lex.norm); break;
          default: break;
        }
      }
    }
    l.known_built.store(true, std::memory_order_release);
  }
  return l.known;
}

void FeatureExtractor::compute(std::string_view form, const Vocab& vocab, std::uint64_t* out) const {
  // The lexeme once, and the lexicon's entry once (it was looked up, and the lexeme made again, by
  // every CLUSTER and PROB feature).
  const Lexeme lex = vocab.lexeme(form);
  const Lexicon::Entry* entry = nullptr;
  bool looked_up = false;
  for (std::size_t f = 0; f < specs_.size(); ++f) {
    const FeatureSpec& s = specs_[f];
    switch (s.kind) {
      case FeatureSpec::Kind::ORTH: out[f] = lex.orth; break;
      case FeatureSpec::Kind::LOWER: out[f] = lex.lower; break;
      case FeatureSpec::Kind::NORM: out[f] = lex.norm; break;
      case FeatureSpec::Kind::SHAPE: out[f] = lex.shape; break;
      case FeatureSpec::Kind::PREFIX: out[f] = hash_string(prefix_of(form, s.length)); break;
      case FeatureSpec::Kind::SUFFIX: out[f] = hash_string(suffix_of(form, s.length)); break;
      case FeatureSpec::Kind::CASE: {
        // 1: already lowercase (or caseless)
        out[f] = lex.lower == lex.orth ? 1 : casing_key(lexicon_->find_exact(lex.orth), lexicon_->find_exact(lex.lower));
        break;
      }
      case FeatureSpec::Kind::TITLE: {
        const hash_t title = form.empty() ? 0 : hash_string(title_case(form));
        out[f] = title == lex.lower ? 1 : casing_key(lexicon_->find_exact(title), lexicon_->find_exact(lex.lower));
        break;
      }
      case FeatureSpec::Kind::CLUSTER:
      case FeatureSpec::Kind::PROB: {
        if (!looked_up) entry = lexicon_->find(lex.orth, lex.lower), looked_up = true;
        const Lexicon::Entry* e = entry;
        if (!e) {
          out[f] = 0;  // unknown words share one row
        } else if (s.kind == FeatureSpec::Kind::PROB) {
          out[f] = 1 + static_cast<std::uint64_t>(std::clamp(std::lround(-e->log_prob), 0L, 40L));
        } else {
          // spaCy stores the bit path reversed (int(path[::-1], 2)), so the path's first `length`
          // bits are the integer's low bits; the key is tagged with the prefix length.
          const std::uint64_t path = s.length == 0 || s.length >= 56 ? e->cluster : e->cluster & ((1ull << s.length) - 1);
          out[f] = (path << 8) | static_cast<std::uint64_t>(s.length) | (1ull << 63);
        }
        break;
      }
      case FeatureSpec::Kind::TAG: out[f] = lexicon_->tag(lex.orth, lex.lower); break;
    }
  }
}

void FeatureExtractor::cache(std::string_view form, const Vocab& vocab) {
  (void)vocab;  // the keys are computed on first use, with the vocab of the Docs
  const hash_t orth = hash_string(form);
  if (index_.count(orth)) return;
  const std::size_t row = cached(), F = specs_.size();
  Lazy& l = *lazy_;
  if (row == l.capacity) {
    // Room for more rows; the new memory is not touched until rows are computed.
    const std::size_t cap = std::max<std::size_t>(1024, 2 * l.capacity);
    auto table = std::make_unique_for_overwrite<std::uint64_t[]>(cap * F);
    auto state = std::make_unique<std::atomic<std::uint8_t>[]>(cap);
    for (std::size_t r = 0; r < row; ++r)
      if (l.state[r].load(std::memory_order_relaxed) == 2) {
        std::copy(l.table.get() + r * F, l.table.get() + (r + 1) * F, table.get() + r * F);
        state[r].store(2, std::memory_order_relaxed);
      }
    l.table = std::move(table);
    l.state = std::move(state);
    l.capacity = cap;
  }
  forms_ += form;
  form_ends_.push_back(static_cast<std::uint32_t>(forms_.size()));
  index_.emplace(orth, static_cast<std::uint32_t>(row));
  l.known_built.store(false, std::memory_order_relaxed);
}

backend::Tensor FeatureExtractor::lengths(std::span<const Doc> docs) {
  // Sequences are sentences where a Doc has sentence starts (models train on sentences, so context
  // never crosses a sentence boundary), else whole Docs.
  std::vector<std::int32_t> out;
  for (const Doc& d : docs) {
    if (d.empty()) continue;
    std::int32_t run = 0;
    for (std::size_t i = 0; i < d.size(); ++i) {
      if (i > 0 && d.data(i).sent_start == 1) {
        out.push_back(run);
        run = 0;
      }
      ++run;
    }
    out.push_back(run);
  }
  return backend::Tensor::from_vector(out, {static_cast<std::int64_t>(out.size())});
}

std::int64_t FeatureExtractor::cached_row(std::string_view form) const {
  const auto it = index_.find(hash_string(form));
  return it == index_.end() ? -1 : static_cast<std::int64_t>(it->second);
}

nn::Ragged FeatureExtractor::extract(std::span<const Doc> docs) const {
  std::int64_t n = 0;
  for (const Doc& d : docs) n += static_cast<std::int64_t>(d.size());
  const std::int64_t K = columns();
  backend::Tensor keys_t = backend::Tensor::empty({n, K}, backend::DType::U64);
  std::uint64_t* out = keys_t.data<std::uint64_t>();
  for (const Doc& d : docs)
    for (std::size_t i = 0; i < d.size(); ++i, out += K) row_keys(d, i, out);
  return {std::move(keys_t), lengths(docs)};
}

void FeatureExtractor::row_keys(const Doc& doc, std::size_t i, std::uint64_t* out) const {
  keys(doc.token_text(i), doc.data(i).norm, doc.vocab(), out);
  if (char_columns_ > 0) nn::CharEmbed::code_points(doc.token_text(i), char_columns_, out + specs_.size());
}

}  // namespace weft
