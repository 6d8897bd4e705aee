#include "weft/doc/doc.hpp"

#include <algorithm>
#include <limits>
#include <unordered_set>

#include "feats.hpp"
#include "weft/backend/tensor.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/syntax.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {
constexpr std::size_t kBlock = 64;

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u; }

std::size_t count_chars(const char* p, std::size_t n) {
  std::size_t k = 0;
  for (std::size_t i = 0; i < n; ++i) k += !is_continuation(p[i]);
  return k;
}
}  // namespace

const backend::Tensor* Doc::tensor() const noexcept {
  return tensor_ && tensor_->dim(0) == static_cast<std::int64_t>(tokens_.size()) ? tensor_.get() : nullptr;
}

void Doc::set_tensor(const backend::Tensor& t) {
  if (t.numel() == 0) {
    tensor_.reset();
    return;
  }
  if (t.dtype() != backend::DType::F32 || t.ndim() != 2 || t.dim(0) != static_cast<std::int64_t>(tokens_.size()))
    throw ValueError("doc.tensor must be float32 [tokens, width] with one row per token (" + std::to_string(tokens_.size()) +
                     "), not " + backend::dtype_name(t.dtype()) + " " + t.shape().str());
  tensor_ = std::make_shared<const backend::Tensor>(t);
}

Doc::Doc(std::shared_ptr<Vocab> vocab, std::string text) : vocab_(std::move(vocab)), text_(std::move(text)) {
  if (!vocab_) throw ValueError("Doc needs a Vocab");
  if (text_.size() >= std::numeric_limits<std::uint32_t>::max())
    throw ValueError("text of " + std::to_string(text_.size()) + " bytes is longer than a Doc can hold (4 GiB)");
  utf8::check(text_, "text");
  if (!utf8::is_ascii(text_)) index_chars();
}

Doc Doc::from_words(std::shared_ptr<Vocab> vocab, const std::vector<std::string>& words,
                    const std::vector<bool>& spaces) {
  if (!spaces.empty() && spaces.size() != words.size())
    throw ValueError("from_words: " + std::to_string(words.size()) + " words but " + std::to_string(spaces.size()) +
                     " spaces");
  std::string text;
  std::vector<std::pair<std::size_t, std::size_t>> spans;
  spans.reserve(words.size());
  for (std::size_t i = 0; i < words.size(); ++i) {
    if (words[i].empty()) throw ValueError("from_words: word " + std::to_string(i) + " is empty");
    spans.emplace_back(text.size(), words[i].size());
    text += words[i];
    if (spaces.empty() || spaces[i]) text += ' ';
  }
  Doc doc(std::move(vocab), std::move(text));
  for (const auto& [idx, len] : spans) doc.push_token(idx, len);
  return doc;
}

Doc Doc::from_words(std::shared_ptr<Vocab> vocab, const std::vector<std::string>& words,
                    const std::vector<bool>& spaces, const DocAnnotations& annotations) {
  Doc doc = from_words(std::move(vocab), words, spaces);
  doc.annotate(annotations);
  return doc;
}

namespace {
std::string quote_str(std::string_view s) { return "\"" + std::string(s) + "\""; }

// spaCy's E177 check of one IOB tag: "O", "" or "<B|I|O>-<type>" with a non-empty type.
void check_iob_tag(const std::string& tag) {
  if (tag.empty() || tag == "O") return;
  if (tag.size() < 3 || tag[1] != '-' || (tag[0] != 'B' && tag[0] != 'I' && tag[0] != 'O'))
    throw ValueError("Doc: ill-formed IOB tag " + quote_str(tag) +
                     " in ents (expected \"B-TYPE\", \"I-TYPE\", \"O\" or \"\" for missing; spaCy's E177)");
}
}  // namespace

void Doc::annotate(const DocAnnotations& a) {
  const std::size_t n = tokens_.size();
  // spaCy's order of checks: heads/deps pairing (E1017), pos values (E1021), IOB tags (E177), lengths
  // (E189), head range (E190). Nothing is written before all pass.
  std::optional<std::vector<std::int64_t>> heads = a.heads;
  const std::optional<std::vector<std::string>>& deps = a.deps;
  if (deps && !deps->empty() && (!heads || heads->empty())) {  // labels alone: every token its own head
    heads.emplace(deps->size());
    for (std::size_t i = 0; i < heads->size(); ++i) (*heads)[i] = static_cast<std::int64_t>(i);
  }
  if (heads && !heads->empty() && (!deps || deps->empty()))
    throw ValueError("Doc: heads were given without deps; a dependency parse needs both (without real labels, "
                     "give deps=[\"dep\"] * len(heads); spaCy's E1017)");
  std::vector<UPOS> pos;
  if (a.pos) {
    pos.reserve(a.pos->size());
    for (const std::string& p : *a.pos) {
      const auto u = upos_from_name(p);
      if (!u || p == "_")
        throw ValueError("Doc: pos value " + quote_str(p) +
                         " is not a Universal Dependencies tag (NOUN, VERB, ...; other tags go in tags; spaCy's E1021)");
      pos.push_back(*u);
    }
  }
  // IOB tags repaired to IOB2 as spaCy: O/missing then I -> B; B/I of one type then I of another -> B.
  std::vector<std::string> ents;
  if (a.ents) {
    ents = *a.ents;
    for (std::size_t i = 0; i < ents.size(); ++i) {
      check_iob_tag(ents[i]);
      if (i + 1 < ents.size()) {
        std::string& next = ents[i + 1];
        const std::string& cur = ents[i];
        if ((cur.empty() || cur[0] == 'O') && !next.empty() && next[0] == 'I') next[0] = 'B';
        if (!cur.empty() && !next.empty() && (cur[0] == 'B' || cur[0] == 'I') && next[0] == 'I' &&
            cur.substr(1) != next.substr(1))
          next[0] = 'B';
      }
    }
  }
  const auto check_len = [n](const char* name, std::size_t size) {
    if (size != n)
      throw ValueError("Doc: " + std::string(name) + " has " + std::to_string(size) + " values for " +
                       std::to_string(n) + " words; every annotation needs one value per word (spaCy's E189)");
  };
  if (a.pos) check_len("pos", a.pos->size());
  if (heads) check_len("heads", heads->size());
  if (deps) check_len("deps", deps->size());
  if (a.lemmas) check_len("lemmas", a.lemmas->size());
  if (a.tags) check_len("tags", a.tags->size());
  if (a.morphs) check_len("morphs", a.morphs->size());
  if (a.sent_starts) check_len("sent_starts", a.sent_starts->size());
  if (a.ents) check_len("ents", a.ents->size());
  if (heads)
    for (std::size_t i = 0; i < n; ++i)
      if ((*heads)[i] < 0 || (*heads)[i] >= static_cast<std::int64_t>(n))
        throw ValueError("Doc: the head of token " + std::to_string(i) + " is " + std::to_string((*heads)[i]) +
                         ", outside the Doc's " + std::to_string(n) + " tokens (spaCy's E190)");
  if (a.sent_starts)
    for (std::size_t i = 0; i < n; ++i)
      if ((*a.sent_starts)[i] < -1 || (*a.sent_starts)[i] > 1)
        throw ValueError("Doc: sent_starts[" + std::to_string(i) + "] must be 1, -1 or 0");
  std::vector<hash_t> morphs;
  if (a.morphs) {
    morphs.reserve(n);
    for (const std::string& m : *a.morphs) morphs.push_back(intern_morph(m));
  }
  // Everything checked: write.
  bool labelled = false;
  for (std::size_t i = 0; i < n; ++i) {
    TokenData& t = tokens_[i];
    if (a.pos) t.pos = pos[i];
    if (heads) t.head = static_cast<std::int32_t>((*heads)[i] - static_cast<std::int64_t>(i));
    if (deps) {
      t.dep = intern((*deps)[i]);
      labelled = labelled || t.dep != 0;
    }
    if (a.lemmas) t.lemma = intern((*a.lemmas)[i]);
    if (a.tags) t.tag = intern((*a.tags)[i]);
    if (a.morphs) t.morph = morphs[i];
    if (a.sent_starts) t.sent_start = (*a.sent_starts)[i];
    if (a.ents) {
      const std::string& e = ents[i];
      if (e.empty()) {
        t.ent_iob = EntIob::MISSING;
        t.ent_type = 0;
      } else if (e == "O") {
        t.ent_iob = EntIob::O;
        t.ent_type = 0;
      } else {
        t.ent_iob = e[0] == 'B' ? EntIob::B : e[0] == 'I' ? EntIob::I : EntIob::O;
        t.ent_type = intern(std::string_view(e).substr(2));
      }
    }
  }
  if (heads && labelled) sentences_from_heads(0, n);
}

void Doc::index_chars() {
  char_index_.resize(text_.size() / kBlock + 1);
  std::uint32_t chars = 0;
  for (std::size_t b = 0; b < char_index_.size(); ++b) {
    char_index_[b] = chars;
    const std::size_t start = b * kBlock;
    chars += static_cast<std::uint32_t>(count_chars(text_.data() + start, std::min(kBlock, text_.size() - start)));
  }
}

std::size_t Doc::char_offset(std::size_t byte) const noexcept {
  if (char_index_.empty()) return byte;
  byte = std::min(byte, text_.size());
  const std::size_t b = byte / kBlock;
  return char_index_[b] + count_chars(text_.data() + b * kBlock, byte - b * kBlock);
}

std::size_t Doc::byte_offset(std::size_t chars) const noexcept {
  if (char_index_.empty()) return std::min(chars, text_.size());
  // The last block starting at or before `chars`, then walk.
  auto it = std::upper_bound(char_index_.begin(), char_index_.end(), static_cast<std::uint32_t>(
                                 std::min<std::size_t>(chars, std::numeric_limits<std::uint32_t>::max())));
  std::size_t b = static_cast<std::size_t>(it - char_index_.begin()) - 1;
  std::size_t byte = b * kBlock;
  std::size_t seen = char_index_[b];
  while (byte < text_.size()) {
    if (!is_continuation(text_[byte])) {
      if (seen == chars) return byte;
      ++seen;
    }
    ++byte;
  }
  return text_.size();
}

Token Doc::token(std::size_t i) const noexcept { return Token(this, i); }

Token Doc::operator[](std::ptrdiff_t i) const {
  const auto n = static_cast<std::ptrdiff_t>(tokens_.size());
  const std::ptrdiff_t j = i < 0 ? i + n : i;
  if (j < 0 || j >= n)
    throw IndexError("token index " + std::to_string(i) + " out of range for a Doc of " + std::to_string(n) + " tokens");
  return Token(this, static_cast<std::size_t>(j));
}

Span Doc::span(std::size_t start, std::size_t end) const {
  if (start > end || end > tokens_.size())
    throw IndexError("span [" + std::to_string(start) + ", " + std::to_string(end) + ") out of range for a Doc of " +
                     std::to_string(tokens_.size()) + " tokens");
  return Span(this, start, end);
}

std::optional<Span> Doc::char_span(std::size_t start_char, std::size_t end_char, hash_t label,
                                   std::string_view mode) const {
  if (mode != "strict" && mode != "contract" && mode != "expand")
    throw ValueError("char_span: alignment mode must be strict, contract or expand, not \"" + std::string(mode) + "\"");
  if (start_char > end_char)
    throw ValueError("char_span: start " + std::to_string(start_char) + " is after end " + std::to_string(end_char));
  const std::size_t b = byte_offset(start_char), e = byte_offset(end_char);
  // First token ending after b, first token starting at or after e.
  auto first = std::partition_point(tokens_.begin(), tokens_.end(),
                                    [&](const TokenData& t) { return static_cast<std::size_t>(t.idx) + t.len <= b; });
  auto last = std::partition_point(tokens_.begin(), tokens_.end(),
                                   [&](const TokenData& t) { return static_cast<std::size_t>(t.idx) < e; });
  std::size_t i = static_cast<std::size_t>(first - tokens_.begin());
  std::size_t j = static_cast<std::size_t>(last - tokens_.begin());
  if (mode == "strict") {
    if (i >= j || tokens_[i].idx != b || tokens_[j - 1].idx + tokens_[j - 1].len != e) return std::nullopt;
  } else if (mode == "contract") {
    if (i < j && tokens_[i].idx < b) ++i;
    if (i < j && tokens_[j - 1].idx + tokens_[j - 1].len > e) --j;
    if (i >= j) return std::nullopt;
  } else if (i >= j) {
    return std::nullopt;
  }
  return Span(this, i, j, label);
}

TokenData& Doc::push_token(std::size_t idx, std::size_t len) {
  if (len == 0) throw ValueError("a token cannot be empty (at byte " + std::to_string(idx) + ")");
  if (idx + len > text_.size() || idx + len < idx)
    throw ValueError("token [" + std::to_string(idx) + ", " + std::to_string(idx + len) + ") is outside the text of " +
                     std::to_string(text_.size()) + " bytes");
  if (!tokens_.empty() && idx < static_cast<std::size_t>(tokens_.back().idx) + tokens_.back().len)
    throw ValueError("token at byte " + std::to_string(idx) + " overlaps the previous token");
  if (is_continuation(text_[idx]) || (idx + len < text_.size() && is_continuation(text_[idx + len])))
    throw ValueError("token [" + std::to_string(idx) + ", " + std::to_string(idx + len) +
                     ") does not start and end on character boundaries");
  const std::string_view s = std::string_view(text_).substr(idx, len);
  return push_token_unchecked(static_cast<std::uint32_t>(idx), static_cast<std::uint32_t>(len), hash_string(s));
}

std::string_view Doc::whitespace(std::size_t i) const noexcept {
  const std::size_t end = tokens_[i].idx + tokens_[i].len;
  const std::size_t next = i + 1 < tokens_.size() ? tokens_[i + 1].idx : text_.size();
  // Only whitespace counts: text between tokens that is not whitespace (a reader's gap) is not
  // reported as trailing whitespace.
  std::size_t j = end;
  while (j < next) {
    std::size_t k = j;
    const char32_t c = utf8::next(text_, k);
    if (!unicode::is_space(c)) break;
    j = k;
  }
  return std::string_view(text_).substr(end, j - end);
}

std::string_view Doc::str(hash_t h) const {
  if (h == 0) return {};
  if (auto it = pool_.find(h); it != pool_.end()) return it->second;
  if (auto s = vocab_->strings().find(h)) return *s;
  // Labels weft itself assigns to spans it makes (noun_chunks) resolve without being stored anywhere.
  static const hash_t np = hash_string("NP");
  if (h == np) return "NP";
  for (std::size_t i = 0; i < tokens_.size(); ++i)
    if (tokens_[i].orth == h) return token_text(i);
  throw KeyError("no string for hash " + std::to_string(h) + " in the Doc or its Vocab");
}

hash_t Doc::intern(std::string_view s) {
  const hash_t h = hash_string(s);
  if (h == 0 || pool_.count(h) || vocab_->strings().contains(h)) return h;
  pool_.emplace(h, std::string(s));
  return h;
}

bool Doc::has_sents() const noexcept {
  for (std::size_t i = 1; i < tokens_.size(); ++i)
    if (tokens_[i].sent_start != 0) return true;
  return tokens_.size() == 1 && tokens_[0].sent_start != 0;
}

std::vector<Span> Doc::sents() const {
  if (!has_sents() && !tokens_.empty())
    throw ValueError(
        "sentence boundaries are unset: add a component that sets them (nlp.add_pipe(\"sentencizer\") or a parser)");
  std::vector<Span> out;
  std::size_t start = 0;
  for (std::size_t i = 1; i < tokens_.size(); ++i) {
    if (tokens_[i].sent_start == 1) {
      out.emplace_back(this, start, i);
      start = i;
    }
  }
  if (start < tokens_.size()) out.emplace_back(this, start, tokens_.size());
  return out;
}

void Doc::set_head(std::size_t i, std::size_t h) {
  const std::size_t n = tokens_.size();
  if (i >= n || h >= n)
    throw IndexError("set_head: token " + std::to_string(i) + " or head " + std::to_string(h) + " is outside the Doc's " +
                     std::to_string(n) + " tokens");
  // A cycle: i would be its own ancestor through h.
  for (std::size_t k = h, steps = 0; k != i; ++steps) {
    const std::size_t up = syntax::head_of(*this, k);
    if (up == k) break;
    if (steps > n) throw ValueError("set_head: the Doc's heads already form a cycle");
    k = up;
    if (k == i)
      throw ValueError("set_head: token " + std::to_string(h) + " is a descendant of token " + std::to_string(i) +
                       "; making it the head would close a cycle");
  }
  // The sentences that hold i and h now, and everything between them.
  const auto [b1, e1] = syntax::sentence_range(*this, i, i + 1);
  const auto [b2, e2] = syntax::sentence_range(*this, h, h + 1);
  tokens_[i].head = static_cast<std::int32_t>(static_cast<std::int64_t>(h) - static_cast<std::int64_t>(i));
  sentences_from_heads(std::min(b1, b2), std::max(e1, e2));
}

void Doc::sentences_from_heads(std::size_t begin, std::size_t end) {
  end = std::min(end, tokens_.size());
  if (begin >= end) return;
  const std::size_t n = end - begin;
  constexpr std::size_t NONE = static_cast<std::size_t>(-1);
  std::vector<std::size_t> root(n, NONE);
  std::vector<std::uint8_t> has_kids(n, 0);
  for (std::size_t k = begin; k < end; ++k) {
    const std::int64_t h = static_cast<std::int64_t>(k) + tokens_[k].head;
    if (h != static_cast<std::int64_t>(k) && h >= static_cast<std::int64_t>(begin) && h < static_cast<std::int64_t>(end))
      has_kids[static_cast<std::size_t>(h) - begin] = 1;
  }
  // Each token's root, memoized along the path (bounded: a cycle leaves its tokens in no tree).
  std::vector<std::size_t> path;
  for (std::size_t k = 0; k < n; ++k) {
    if (root[k] != NONE) continue;
    path.clear();
    std::size_t w = k, r = NONE;
    for (std::size_t steps = 0; steps <= n; ++steps) {
      if (root[w] != NONE) {
        r = root[w];
        break;
      }
      path.push_back(w);
      const std::int64_t h = static_cast<std::int64_t>(begin + w) + tokens_[begin + w].head;
      if (h == static_cast<std::int64_t>(begin + w)) {
        r = w;
        break;
      }
      if (h < static_cast<std::int64_t>(begin) || h >= static_cast<std::int64_t>(end)) break;  // leaves the range
      w = static_cast<std::size_t>(h) - begin;
    }
    const std::size_t mark = r == NONE ? n : r;  // n: no tree
    for (const std::size_t p : path) root[p] = mark;
  }
  // Each tree's span; a root counts when it is labelled or has dependents.
  std::vector<std::size_t> lo(n, NONE), hi(n, 0);
  for (std::size_t k = 0; k < n; ++k) {
    const std::size_t r = root[k];
    if (r >= n || (tokens_[begin + r].dep == 0 && !has_kids[r])) continue;
    lo[r] = std::min(lo[r], k);
    hi[r] = std::max(hi[r], k);
  }
  for (std::size_t k = begin; k < end; ++k) tokens_[k].sent_start = 0;
  std::size_t open_end = 0;  // one past the merged span being built
  bool open = false;
  // Spans by their first token (the furthest end of those starting there), then merged left to right.
  std::vector<std::size_t> span_end(n, NONE);  // for each first token, the furthest end of a span starting there
  for (std::size_t r = 0; r < n; ++r)
    if (lo[r] != NONE) span_end[lo[r]] = span_end[lo[r]] == NONE ? hi[r] + 1 : std::max(span_end[lo[r]], hi[r] + 1);
  for (std::size_t k = 0; k < n; ++k) {
    if (span_end[k] != NONE) {
      if (!open || k >= open_end) {
        tokens_[begin + k].sent_start = 1;
        open = true;
        open_end = span_end[k];
        continue;
      }
      open_end = std::max(open_end, span_end[k]);
    }
    if (open && k < open_end) tokens_[begin + k].sent_start = -1;
  }
}

void Doc::set_sent_start(std::size_t i, std::int8_t value) {
  if (i >= tokens_.size())
    throw IndexError("set_sent_start: token " + std::to_string(i) + " is outside the Doc's " + std::to_string(tokens_.size()) +
                     " tokens");
  if (value < -1 || value > 1) throw ValueError("set_sent_start: the value must be 1, -1 or 0 (unknown)");
  if (has_annotation(Attr::DEP) && !tokens_.empty())
    throw ValueError("refusing to write to token.is_sent_start of a parsed Doc: its sentences come from the trees "
                     "(set heads instead), as spaCy (E043)");
  tokens_[i].sent_start = value;
}

std::vector<Span> Doc::noun_chunks() const {
  static const hash_t np = hash_string("NP");
  std::vector<Span> out;
  for (const auto& [b, e] : syntax::noun_chunks(*this)) out.emplace_back(this, b, e, np);
  return out;
}

std::vector<Span> Doc::ents() const {
  std::vector<Span> out;
  bool open = false;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    const TokenData& t = tokens_[i];
    if (t.ent_iob == EntIob::I && open && out.back().label() == t.ent_type) {
      out.back() = Span(this, out.back().start(), i + 1, t.ent_type, out.back().kb_id(), out.back().id());
    } else if ((t.ent_iob == EntIob::B || t.ent_iob == EntIob::I) && t.ent_type != 0) {
      out.emplace_back(this, i, i + 1, t.ent_type, ent_kb_id(i), ent_id(i));
      open = true;
    } else {
      open = false;  // O, missing, or a blocked token (B without a type), as spaCy
    }
  }
  return out;
}

void Doc::set_ents(std::span<const Span> ents, std::string_view default_outside) {
  set_ents(ents, EntsRegions{}, default_outside);
}

void Doc::set_ents(std::span<const Span> ents, const EntsRegions& regions, std::string_view default_outside) {
  if (default_outside != "outside" && default_outside != "missing" && default_outside != "unmodified" &&
      default_outside != "blocked")
    throw ValueError("set_ents: default must be \"blocked\", \"missing\", \"outside\" or \"unmodified\", not \"" +
                     std::string(default_outside) + "\" (spaCy's E1011)");
  const auto describe = [this](const Span& e) {
    return "[" + std::to_string(e.start()) + ", " + std::to_string(e.end()) + ")" +
           (e.end() <= tokens_.size() && e.start() < e.end() && &e.doc() == this ? " \"" + std::string(e.text()) + "\"" : "");
  };
  // Which span covers each token (for E1010), checked before anything is written.
  const std::size_t n = tokens_.size();
  constexpr std::uint8_t NONE = 0, ENT = 1, BLOCKED = 2, MISSING = 3, OUTSIDE = 4;
  std::vector<std::uint8_t> kind(n, NONE);
  std::vector<const Span*> owner(n, nullptr);
  const auto claim = [&](const Span& e, std::uint8_t what, const char* group) {
    if (&e.doc() != this) throw ValueError("set_ents: the span " + describe(e) + " in " + group + " belongs to another Doc");
    if (e.start() > e.end() || e.end() > n)
      throw ValueError("set_ents: the span " + describe(e) + " in " + group + " is outside the Doc's " +
                       std::to_string(n) + " tokens");
    for (std::size_t i = e.start(); i < e.end(); ++i) {
      if (kind[i] != NONE)
        throw ValueError("set_ents: token " + std::to_string(i) + " is in more than one span of entities, blocked, "
                         "missing or outside (" + describe(*owner[i]) + " and " + describe(e) +
                         " overlap; spaCy's E1010)");
      kind[i] = what;
      owner[i] = &e;
    }
  };
  for (const Span& e : ents)
    if (e.label() != 0) claim(e, ENT, "entities");  // spaCy ignores entities without a label
  for (const Span& e : regions.blocked) claim(e, BLOCKED, "blocked");
  for (const Span& e : regions.missing) claim(e, MISSING, "missing");
  for (const Span& e : regions.outside) claim(e, OUTSIDE, "outside");

  for (std::size_t i = 0; i < n; ++i) {
    TokenData& t = tokens_[i];
    switch (kind[i]) {
      case ENT: {
        // One place per entity field: later token fields (entity ids) are set here too.
        const Span& e = *owner[i];
        t.ent_iob = i == e.start() ? EntIob::B : EntIob::I;
        t.ent_type = e.label();
        set_ent_kb_id(i, e.kb_id());
        if (e.id() != 0) set_ent_id(i, e.id());  // spaCy keeps the token's ent_id for a span without one
        break;
      }
      case BLOCKED: t.ent_iob = EntIob::B, t.ent_type = 0; break;
      case MISSING: t.ent_iob = EntIob::MISSING, t.ent_type = 0; break;
      case OUTSIDE: t.ent_iob = EntIob::O, t.ent_type = 0; break;
      default:
        if (default_outside == "unmodified") break;
        t.ent_type = 0;
        t.ent_iob = default_outside == "outside" ? EntIob::O : default_outside == "missing" ? EntIob::MISSING : EntIob::B;
    }
  }
  // spaCy's repair: an I must follow B or I (else it begins), and an I after a token of another type begins.
  for (std::size_t i = 0; i + 1 < n; ++i) {
    const TokenData& a = tokens_[i];
    TokenData& b = tokens_[i + 1];
    if ((a.ent_iob == EntIob::MISSING || a.ent_iob == EntIob::O) && b.ent_iob == EntIob::I) b.ent_iob = EntIob::B;
    if (a.ent_type != b.ent_type && (a.ent_iob == EntIob::B || a.ent_iob == EntIob::I) && b.ent_iob == EntIob::I)
      b.ent_iob = EntIob::B;
  }
}

bool Doc::has_annotation(Attr a, bool require_complete) const noexcept {
  // spaCy's rules: an empty Doc is annotated; HEAD has no unset state, so DEP tells; a one-token Doc
  // has its sentence; otherwise the first token (always a start) is skipped. weft adds: sentence
  // starts count as set where the Doc has a parse (its trees decide them).
  if (tokens_.empty()) return true;
  std::size_t first = 0;
  if (a == Attr::HEAD) a = Attr::DEP;
  if (a == Attr::SENT_START) {
    if (tokens_.size() == 1 || has_annotation(Attr::DEP)) return true;
    first = 1;
  }
  const auto scan = [&](auto is_set) {
    for (std::size_t i = first; i < tokens_.size(); ++i) {
      const bool set = is_set(tokens_[i], i);
      if (require_complete && !set) return false;
      if (!require_complete && set) return true;
    }
    return require_complete;
  };
  switch (a) {
    case Attr::POS: return scan([](const TokenData& t, std::size_t) { return t.pos != UPOS::NONE; });
    case Attr::TAG: return scan([](const TokenData& t, std::size_t) { return t.tag != 0; });
    case Attr::LEMMA: return scan([](const TokenData& t, std::size_t) { return t.lemma != 0; });
    case Attr::MORPH: return scan([](const TokenData& t, std::size_t) { return t.morph != 0; });
    case Attr::DEP: return scan([](const TokenData& t, std::size_t) { return t.dep != 0; });
    case Attr::ENT_IOB: return scan([](const TokenData& t, std::size_t) { return t.ent_iob != EntIob::MISSING; });
    case Attr::ENT_TYPE: return scan([](const TokenData& t, std::size_t) { return t.ent_type != 0; });
    case Attr::SENT_START: return scan([](const TokenData& t, std::size_t) { return t.sent_start != 0; });
    default: break;
  }
  // Any other attribute: set where its value is not 0 (spaCy's get_struct_attr).
  if (attr_name(a) == "UNKNOWN") return false;
  try {
    return scan([this, a](const TokenData&, std::size_t i) { return attr_value(i, a) != 0; });
  } catch (const std::exception&) {
    return false;
  }
}

namespace {
bool is_lexical(Attr a) {
  return flag_of(a) || a == Attr::LOWER || a == Attr::NORM || a == Attr::SHAPE || a == Attr::PREFIX ||
         a == Attr::SUFFIX || a == Attr::LENGTH;
}
}  // namespace

// `lex` is the token's lexeme when the caller already has it (to_array computes it once per token).
static std::uint64_t attr_value_impl(const Doc& doc, std::size_t i, Attr a, const Lexeme* lex) {
  const TokenData& t = doc.data(i);
  if (auto f = flag_of(a)) return lex->check(*f) ? 1 : 0;
  switch (a) {
    case Attr::NULL_ATTR: return 0;
    case Attr::ID: case Attr::ORTH: return t.orth;
    case Attr::LOWER: return lex->lower;
    case Attr::NORM: return t.norm ? t.norm : lex->norm;
    case Attr::SHAPE: return lex->shape;
    case Attr::PREFIX: return lex->prefix;
    case Attr::SUFFIX: return lex->suffix;
    case Attr::LENGTH: return lex->length;
    case Attr::LEMMA: return t.lemma;
    case Attr::POS: return static_cast<std::uint64_t>(t.pos);
    case Attr::TAG: return t.tag;
    case Attr::DEP: return t.dep;
    case Attr::MORPH: return t.morph;
    case Attr::ENT_IOB: return static_cast<std::uint64_t>(t.ent_iob);
    case Attr::ENT_TYPE: return t.ent_type;
    case Attr::HEAD: return static_cast<std::uint64_t>(static_cast<std::int64_t>(t.head));
    case Attr::SENT_START: return static_cast<std::uint64_t>(static_cast<std::int64_t>(i == 0 ? 1 : t.sent_start));
    case Attr::SPACY: return doc.whitespace(i).empty() ? 0 : 1;
    case Attr::IDX: return doc.char_offset(t.idx);
    default: break;
  }
  throw ValueError("attribute " + std::string(attr_name(a)) + " cannot be exported per token");
}

std::uint64_t Doc::attr_value(std::size_t i, Attr a) const {
  if (i >= tokens_.size()) throw IndexError("token index " + std::to_string(i) + " out of range");
  if (is_lexical(a)) {
    const Lexeme lex = vocab_->lexeme(token_text(i));
    return attr_value_impl(*this, i, a, &lex);
  }
  return attr_value_impl(*this, i, a, nullptr);
}

std::vector<std::uint64_t> Doc::to_array(const std::vector<Attr>& attrs) const {
  const bool lexical = std::any_of(attrs.begin(), attrs.end(), is_lexical);
  for (Attr a : attrs)  // fail before any work on an attribute that has no per-token value
    if (attr_name(a) == "UNKNOWN")
      throw ValueError("unknown attribute id " + std::to_string(static_cast<std::uint32_t>(a)));
  std::vector<std::uint64_t> out(tokens_.size() * attrs.size());
  Lexeme lex;
  for (std::size_t i = 0; i < tokens_.size(); ++i) {
    if (lexical) lex = vocab_->lexeme(token_text(i));
    for (std::size_t j = 0; j < attrs.size(); ++j) out[i * attrs.size() + j] = attr_value_impl(*this, i, attrs[j], &lex);
  }
  return out;
}

namespace {
// The string-valued attributes from_array writes.
bool is_string_attr(Attr a) {
  return a == Attr::LEMMA || a == Attr::NORM || a == Attr::TAG || a == Attr::MORPH || a == Attr::DEP ||
         a == Attr::ENT_TYPE;
}
}  // namespace

Doc& Doc::from_array(const std::vector<Attr>& attrs, std::span<const std::uint64_t> values, const Doc* strings) {
  const std::size_t n = tokens_.size(), k = attrs.size();
  if (k == 0) throw ValueError("from_array: no attributes given");
  for (Attr a : attrs)
    if (attr_name(a) == "UNKNOWN")
      throw ValueError("from_array: unknown attribute id " + std::to_string(static_cast<std::uint32_t>(a)));
  if (values.size() != n * k)
    throw ValueError("from_array: " + std::to_string(values.size()) + " values for " + std::to_string(k) +
                     " attributes of a Doc of " + std::to_string(n) + " tokens (expected " + std::to_string(n) +
                     " rows of " + std::to_string(k) + "; spaCy's E971)");
  const auto at = [&](std::size_t i, std::size_t j) { return values[i * k + j]; };
  const auto col = [&](Attr a) -> std::optional<std::size_t> {
    const auto it = std::find(attrs.begin(), attrs.end(), a);
    if (it == attrs.end()) return std::nullopt;
    return static_cast<std::size_t>(it - attrs.begin());
  };
  // Check everything first.
  std::vector<std::pair<hash_t, std::string_view>> borrowed;  // strings copied from `strings`' pool
  for (std::size_t j = 0; j < k; ++j) {
    const Attr a = attrs[j];
    const std::string name(attr_name(a));
    for (std::size_t i = 0; i < n; ++i) {
      const std::uint64_t v = at(i, j);
      switch (a) {
        case Attr::HEAD: {
          // As spaCy, the offset is read as a 32-bit signed int.
          const std::int64_t rel = static_cast<std::int32_t>(static_cast<std::uint32_t>(v));
          const std::int64_t h = static_cast<std::int64_t>(i) + rel;
          if (h < 0 || h >= static_cast<std::int64_t>(n))
            throw ValueError("from_array: the HEAD of token " + std::to_string(i) + " is " + std::to_string(rel) +
                             " (relative to the token), outside the Doc's " + std::to_string(n) +
                             " tokens (spaCy's E190)");
          break;
        }
        case Attr::ENT_IOB:
          if (v > 3)
            throw ValueError("from_array: ENT_IOB of token " + std::to_string(i) + " is " + std::to_string(v) +
                             "; it must index (\"\", \"I\", \"O\", \"B\") (spaCy's E982)");
          break;
        case Attr::POS:
          if (v >= static_cast<std::uint64_t>(UPOS::COUNT))
            throw ValueError("from_array: POS of token " + std::to_string(i) + " is " + std::to_string(v) +
                             ", not a weft UPOS id (0-" + std::to_string(static_cast<int>(UPOS::COUNT) - 1) + ")");
          break;
        case Attr::SENT_START: {
          const auto s = static_cast<std::int64_t>(v);
          if (s < -1 || s > 1)
            throw ValueError("from_array: SENT_START of token " + std::to_string(i) + " is " + std::to_string(s) +
                             "; it must be 1, -1 or 0");
          break;
        }
        default:
          if (!is_string_attr(a) || v == 0) break;
          if (a == Attr::NORM && v == vocab_->lexeme(token_text(i)).norm) break;
          if (pool_.count(v) || vocab_->strings().contains(v)) break;
          if (strings != nullptr) {
            if (auto it = strings->pool().find(v); it != strings->pool().end()) {
              borrowed.emplace_back(v, it->second);
              break;
            }
            if (strings->vocab().strings().contains(v)) {
              borrowed.emplace_back(v, *strings->vocab().strings().find(v));
              break;
            }
          }
          bool orth = false;  // the text of a token resolves too (Doc::str)
          for (const TokenData& t : tokens_) orth = orth || t.orth == v;
          if (!orth)
            throw KeyError("from_array: the " + name + " of token " + std::to_string(i) + " is the hash " +
                           std::to_string(v) + ", a string neither this Doc nor its Vocab knows");
      }
    }
  }
  for (const auto& [h, str] : borrowed) pool_.emplace(h, std::string(str));
  for (std::size_t i = 0; i < n; ++i) {
    TokenData& t = tokens_[i];
    for (std::size_t j = 0; j < k; ++j) {
      const std::uint64_t v = at(i, j);
      switch (attrs[j]) {
        case Attr::LEMMA: t.lemma = v; break;
        case Attr::NORM: t.norm = v == vocab_->lexeme(token_text(i)).norm ? 0 : v; break;
        case Attr::TAG: t.tag = v; break;
        case Attr::MORPH: t.morph = v; break;
        case Attr::DEP: t.dep = v; break;
        case Attr::ENT_TYPE: t.ent_type = v; break;
        case Attr::POS: t.pos = static_cast<UPOS>(v); break;
        case Attr::HEAD: t.head = static_cast<std::int32_t>(static_cast<std::uint32_t>(v)); break;
        case Attr::ENT_IOB: t.ent_iob = static_cast<EntIob>(v); break;
        case Attr::SENT_START: t.sent_start = static_cast<std::int8_t>(static_cast<std::int64_t>(v)); break;
        default: break;  // not per-token annotation (spaCy ignores these too)
      }
    }
  }
  const auto head_col = col(Attr::HEAD), dep_col = col(Attr::DEP);
  if (head_col && dep_col) {
    bool labelled = false;
    for (std::size_t i = 0; i < n && !labelled; ++i) labelled = at(i, *dep_col) != 0;
    if (labelled) sentences_from_heads(0, n);
  }
  return *this;
}

std::unordered_map<std::uint64_t, std::size_t> Doc::count_by(Attr a) const {
  std::unordered_map<std::uint64_t, std::size_t> counts;
  for (const std::uint64_t v : to_array({a})) ++counts[v];
  return counts;
}

hash_t Doc::intern_morph(std::string_view feats) {
  const auto canon = doc_detail::canonical_feats(feats, true);
  if (!canon)
    throw ValueError("\"" + std::string(feats) +
                     "\" is not a UD FEATS string (\"Name=Value|Name=Value,Value\", each feature once)");
  return intern(*canon);
}

void Doc::set_morph(std::size_t i, std::string_view feats) {
  if (i >= tokens_.size())
    throw IndexError("set_morph: token " + std::to_string(i) + " is outside the Doc's " + std::to_string(tokens_.size()) +
                     " tokens");
  tokens_[i].morph = intern_morph(feats);
}

}  // namespace weft
