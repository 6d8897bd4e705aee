#include "weft/components/tok2vec/features.hpp"

#include <algorithm>
#include <cctype>
#include <cmath>
#include <fstream>
#include <sstream>

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
  known_.resize(specs_.size());
}

bool FeatureExtractor::needs_lexicon(const std::vector<FeatureSpec>& specs) noexcept {
  return std::any_of(specs.begin(), specs.end(), [](const FeatureSpec& s) {
    return s.kind == FeatureSpec::Kind::CLUSTER || s.kind == FeatureSpec::Kind::PROB || s.kind == FeatureSpec::Kind::CASE ||
           s.kind == FeatureSpec::Kind::TAG || s.kind == FeatureSpec::Kind::TITLE;
  });
}

const Lexicon::Entry* Lexicon::find_exact(hash_t orth) const {
  const auto it = entries.find(orth);
  return it == entries.end() ? nullptr : &it->second;
}

std::shared_ptr<const Lexicon> Lexicon::load(const std::filesystem::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("cannot open lexicon " + path.string());
  auto lex = std::make_shared<Lexicon>();
  std::stringstream all;
  all << in.rdbuf();
  lex->text = all.str();
  std::istringstream lines(lex->text);
  std::string line;
  std::size_t no = 0;
  while (std::getline(lines, line)) {
    ++no;
    if (line.empty() || line[0] == '#') continue;
    const auto t1 = line.find('\t'), t2 = line.find('\t', t1 == std::string::npos ? t1 : t1 + 1);
    if (t1 == std::string::npos || t2 == std::string::npos || t1 == 0 || !utf8::valid(line))
      throw FormatError(path.string() + ":" + std::to_string(no) + ": expected WORD<TAB>CLUSTER<TAB>LOG_PROB[<TAB>TAG]");
    const auto t3 = line.find('\t', t2 + 1);
    Entry e;
    try {
      std::size_t used = 0;
      const std::string cluster = line.substr(t1 + 1, t2 - t1 - 1), prob = line.substr(t2 + 1, t3 == std::string::npos ? t3 : t3 - t2 - 1);
      e.cluster = std::stoull(cluster, &used);
      if (used != cluster.size()) throw std::invalid_argument(cluster);
      e.log_prob = std::stof(prob, &used);
      if (used != prob.size()) throw std::invalid_argument(prob);
    } catch (const std::exception&) {
      throw FormatError(path.string() + ":" + std::to_string(no) + ": bad cluster or log probability");
    }
    if (t3 != std::string::npos && t3 + 1 < line.size()) e.tag = hash_string(std::string_view(line).substr(t3 + 1));
    lex->entries.emplace(hash_string(std::string_view(line).substr(0, t1)), e);
  }
  return lex;
}

const Lexicon::Entry* Lexicon::find(std::string_view form, const Vocab& vocab) const {
  if (auto it = entries.find(hash_string(form)); it != entries.end()) return &it->second;
  if (auto it = entries.find(vocab.lexeme(form).lower); it != entries.end()) return &it->second;
  return nullptr;
}

hash_t Lexicon::tag(std::string_view form, const Vocab& vocab) const {
  const Entry* exact = find_exact(hash_string(form));
  if (exact && exact->tag != 0) return exact->tag;
  const Entry* lower = find_exact(vocab.lexeme(form).lower);
  return lower ? lower->tag : 0;
}

void FeatureExtractor::keys(std::string_view form, hash_t norm_override, const Vocab& vocab, std::uint64_t* out) const {
  const auto it = index_.find(hash_string(form));
  if (it != index_.end()) {
    const std::uint64_t* row = &table_[it->second * specs_.size()];
    std::copy(row, row + specs_.size(), out);
  } else {
    compute(form, vocab, out);
  }
  if (norm_override != 0)
    for (std::size_t f = 0; f < specs_.size(); ++f)
      if (specs_[f].kind == FeatureSpec::Kind::NORM) out[f] = norm_override;
  if (unknown_words_ && (it == index_.end() || norm_override != 0))
    for (std::size_t f = 0; f < specs_.size(); ++f)
      if (specs_[f].identity() && !known_[f].count(out[f])) out[f] = kUnknownKey;
}

void FeatureExtractor::compute(std::string_view form, const Vocab& vocab, std::uint64_t* out) const {
  const Lexeme lex = vocab.lexeme(form);
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
        const Lexicon::Entry* e = lexicon_->find(form, vocab);
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
      case FeatureSpec::Kind::TAG: out[f] = lexicon_->tag(form, vocab); break;
    }
  }
}

void FeatureExtractor::cache(std::string_view form, const Vocab& vocab) {
  const hash_t orth = hash_string(form);
  if (index_.count(orth)) return;
  const std::size_t row = index_.size();
  table_.resize((row + 1) * specs_.size());
  const std::uint64_t* k = &table_[row * specs_.size()];
  compute(form, vocab, &table_[row * specs_.size()]);
  for (std::size_t f = 0; f < specs_.size(); ++f)
    if (specs_[f].identity()) known_[f].insert(k[f]);
  index_.emplace(orth, static_cast<std::uint32_t>(row));
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
  const auto F = static_cast<std::int64_t>(specs_.size());
  backend::Tensor keys_t = backend::Tensor::empty({n, F}, backend::DType::U64);
  std::uint64_t* out = keys_t.data<std::uint64_t>();
  for (const Doc& d : docs)
    for (std::size_t i = 0; i < d.size(); ++i, out += F) keys(d.token_text(i), d.data(i).norm, d.vocab(), out);
  return {std::move(keys_t), lengths(docs)};
}

}  // namespace weft
