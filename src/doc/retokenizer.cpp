// Retokenizer (retokenizer.hpp): requests are checked when made; apply() computes everything that can
// fail (span roots, subtoken heads) first, then builds the new token array in one pass with an
// old-index -> new-index map, re-keys the extras, and swaps both in.
#include "weft/doc/retokenizer.hpp"

#include <algorithm>
#include <limits>
#include <map>
#include <unordered_map>
#include <utility>

#include "feats.hpp"
#include "weft/backend/tensor.hpp"
#include "weft/doc/syntax.hpp"
#include "weft/error.hpp"

namespace weft {

namespace {

std::string quote(std::string_view s) { return "\"" + std::string(s) + "\""; }

bool in_entity(EntIob iob) { return iob == EntIob::B || iob == EntIob::I; }

}  // namespace

void TokenAttrs::set(Attr a, std::string_view value) {
  switch (a) {
    case Attr::LEMMA: lemma = std::string(value); return;
    case Attr::NORM: norm = std::string(value); return;
    case Attr::TAG: tag = std::string(value); return;
    case Attr::MORPH: morph = std::string(value); return;
    case Attr::DEP: dep = std::string(value); return;
    case Attr::ENT_TYPE: ent_type = std::string(value); return;
    case Attr::POS: {
      const auto p = upos_from_name(value);
      if (!p) throw ValueError("retokenize: " + quote(value) + " is not a Universal POS tag");
      pos = *p;
      return;
    }
    case Attr::ENT_IOB:
      if (value == "B") ent_iob = EntIob::B;
      else if (value == "I") ent_iob = EntIob::I;
      else if (value == "O") ent_iob = EntIob::O;
      else if (value.empty()) ent_iob = EntIob::MISSING;
      else throw ValueError("retokenize: ENT_IOB must be \"B\", \"I\", \"O\" or \"\", not " + quote(value));
      return;
    case Attr::SENT_START:
      if (value == "1" || value == "true" || value == "True") sent_start = 1;
      else if (value == "-1" || value == "false" || value == "False") sent_start = -1;
      else if (value == "0" || value.empty()) sent_start = 0;
      else throw ValueError("retokenize: SENT_START must be 1, -1 or 0, not " + quote(value));
      return;
    case Attr::HEAD:
      throw ValueError(
          "retokenize: HEAD cannot be set through attrs: a merged token takes its span root's head, a split "
          "token's subtokens take `heads`");
    case Attr::SPACY:
      throw ValueError("retokenize: SPACY cannot be set: the Doc's text does not change");
    default:
      throw ValueError("retokenize: attribute " + std::string(attr_name(a)) +
                       " cannot be set per token (lexical attributes belong to the Vocab)");
  }
}

Retokenizer::Resolved Retokenizer::resolve(const TokenAttrs& a) {
  Resolved r;
  auto str = [this](const std::optional<std::string>& s) -> std::optional<hash_t> {
    if (!s) return std::nullopt;
    return doc_.intern(*s);
  };
  if (a.morph) {
    const auto canon = doc_detail::canonical_feats(*a.morph, true);
    if (!canon) throw ValueError("retokenize: MORPH " + quote(*a.morph) + " is not a UD FEATS string");
    r.morph = doc_.intern(*canon);
  }
  r.lemma = str(a.lemma);
  r.norm = str(a.norm);
  r.tag = str(a.tag);
  r.dep = str(a.dep);
  r.ent_type = str(a.ent_type);
  r.pos = a.pos;
  r.ent_iob = a.ent_iob;
  if (a.sent_start && (*a.sent_start < -1 || *a.sent_start > 1))
    throw ValueError("retokenize: SENT_START must be 1, -1 or 0, not " + std::to_string(*a.sent_start));
  r.sent_start = a.sent_start;
  return r;
}

void Retokenizer::mark_size_check() {
  if (mark_.empty()) {
    n_ = doc_.size();
    mark_.assign(n_, NONE);
  } else if (doc_.size() != n_) {
    throw ValueError("retokenize: the Doc changed from " + std::to_string(n_) + " to " + std::to_string(doc_.size()) +
                     " tokens while retokenization requests were pending");
  }
}

void Retokenizer::merge(const Span& span, const TokenAttrs& attrs) {
  if (&span.doc() != &doc_) throw ValueError("retokenize: merge was given a Span of another Doc");
  merge(span.start(), span.end(), attrs);
}

void Retokenizer::merge(std::size_t start, std::size_t end, const TokenAttrs& attrs) {
  if (start >= end)
    throw ValueError("retokenize: cannot merge the empty span [" + std::to_string(start) + ", " + std::to_string(end) +
                     ")");
  if (end > doc_.size())
    throw IndexError("retokenize: span [" + std::to_string(start) + ", " + std::to_string(end) +
                     ") is outside the Doc's " + std::to_string(doc_.size()) + " tokens");
  mark_size_check();
  if (mark_[start] == MERGED)  // the same span again is merged once, as spaCy (a scan only on this rare path)
    for (const Merge& m : merges_)
      if (m.start == start && m.end == end) return;
  for (std::size_t i = start; i < end; ++i) {
    if (mark_[i] == MERGED)
      throw ValueError("retokenize: cannot merge overlapping spans: token " + std::to_string(i) + " " +
                       quote(doc_.token_text(i)) + " is already part of a span to merge");
    if (mark_[i] == SPLIT)
      throw ValueError("retokenize: token " + std::to_string(i) + " " + quote(doc_.token_text(i)) +
                       " is to be split; it cannot also be merged");
  }
  Merge m{static_cast<std::uint32_t>(start), static_cast<std::uint32_t>(end), resolve(attrs)};
  merges_.push_back(std::move(m));
  std::fill(mark_.begin() + static_cast<std::ptrdiff_t>(start), mark_.begin() + static_cast<std::ptrdiff_t>(end),
            MERGED);
}

void Retokenizer::split(const Token& token, const std::vector<std::string>& orths, const std::vector<Head>& heads,
                        const std::vector<TokenAttrs>& attrs) {
  if (&token.doc() != &doc_) throw ValueError("retokenize: split was given a Token of another Doc");
  split(token.i(), orths, heads, attrs);
}

void Retokenizer::split(std::size_t i, const std::vector<std::string>& orths, const std::vector<Head>& heads,
                        const std::vector<TokenAttrs>& attrs) {
  if (i >= doc_.size())
    throw IndexError("retokenize: token " + std::to_string(i) + " is outside the Doc's " +
                     std::to_string(doc_.size()) + " tokens");
  const std::string_view text = doc_.token_text(i);
  std::string joined;
  for (const auto& o : orths) joined += o;
  if (joined != text)
    throw ValueError("retokenize: the split tokens must match the text of the original token: new orths " +
                     quote(joined) + ", old text " + quote(text));
  std::size_t cut = 0;
  for (const auto& o : orths) {
    if (o.empty()) throw ValueError("retokenize: cannot split " + quote(text) + " into an empty token");
    if ((static_cast<unsigned char>(text[cut]) & 0xC0u) == 0x80u)
      throw ValueError("retokenize: cannot split " + quote(text) + " at byte " + std::to_string(cut) +
                       ", inside a character");
    cut += o.size();
  }
  if (heads.size() != orths.size())
    throw ValueError("retokenize: splitting " + quote(text) + " into " + std::to_string(orths.size()) +
                     " tokens needs as many heads, got " + std::to_string(heads.size()));
  if (!attrs.empty() && attrs.size() != orths.size())
    throw ValueError("retokenize: splitting " + quote(text) + " into " + std::to_string(orths.size()) +
                     " tokens needs one attribute value per token, got " + std::to_string(attrs.size()));
  for (const Head& h : heads)
    if (h.token >= doc_.size())
      throw IndexError("retokenize: head token " + std::to_string(h.token) + " is outside the Doc's " +
                       std::to_string(doc_.size()) + " tokens");
  mark_size_check();
  if (mark_[i] == MERGED)
    throw ValueError("retokenize: token " + std::to_string(i) + " " + quote(text) +
                     " is part of a span to merge; it cannot also be split");
  if (mark_[i] == SPLIT)
    throw ValueError("retokenize: token " + std::to_string(i) + " " + quote(text) + " is already to be split");
  Split s;
  s.i = static_cast<std::uint32_t>(i);
  for (const auto& o : orths) s.lens.push_back(static_cast<std::uint32_t>(o.size()));
  s.heads = heads;
  for (const auto& a : attrs) s.attrs.push_back(resolve(a));
  splits_.push_back(std::move(s));
  mark_[i] = SPLIT;
}

namespace {

void apply_attrs(TokenData& t, const Retokenizer::Resolved& a) {
  if (a.lemma) t.lemma = *a.lemma;
  if (a.norm) t.norm = *a.norm;
  if (a.tag) t.tag = *a.tag;
  if (a.morph) t.morph = *a.morph;
  if (a.dep) t.dep = *a.dep;
  if (a.pos) t.pos = *a.pos;
  if (a.sent_start) t.sent_start = *a.sent_start;
  if (a.ent_type) {
    t.ent_type = *a.ent_type;
    if (!a.ent_iob) {
      if (t.ent_type != 0 && !in_entity(t.ent_iob)) t.ent_iob = EntIob::B;
      else if (t.ent_type == 0 && in_entity(t.ent_iob)) t.ent_iob = EntIob::O;
    }
  }
  if (a.ent_iob) t.ent_iob = *a.ent_iob;
  if (!in_entity(t.ent_iob)) t.ent_type = 0;
}

// Re-keys one extras map through `key` (nullopt drops the entry).
template <class Map, class F>
Map rekey(Map& old, F&& key) {
  Map out;
  for (auto& [k, v] : old)
    if (const auto nk = key(k)) out.emplace(*nk, std::move(v));
  return out;
}

}  // namespace

// syntax::span_root for every merge, without its per-span walks to the sentence root (O(depth) each,
// O(n) per span on a long chain): when some span has no headless token, the depth and child count of
// every token are computed once, in O(n), and each span then costs O(span length).
std::vector<std::uint32_t> Retokenizer::span_roots(const Doc& doc, const std::vector<Merge>& merges) {
  const std::size_t n = doc.size();
  constexpr std::uint32_t kUnseen = std::numeric_limits<std::uint32_t>::max(), kCycle = kUnseen - 1,
                          kOpen = kUnseen - 2;
  std::vector<std::uint32_t> depth, kids;  // filled on first need
  const auto fill = [&] {
    depth.assign(n, kUnseen);
    kids.assign(n, 0);
    std::vector<std::uint32_t> path;
    for (std::size_t i = 0; i < n; ++i) {
      const std::size_t h = syntax::head_of(doc, i);
      if (h != i) ++kids[h];
      if (depth[i] != kUnseen) continue;
      // Walk up to a root or a token already done, marking the path open; meeting an open token is a cycle.
      std::size_t k = i;
      bool at_root = false;
      while (depth[k] == kUnseen) {
        depth[k] = kOpen;
        path.push_back(static_cast<std::uint32_t>(k));
        const std::size_t up = syntax::head_of(doc, k);
        if (up == k) {
          at_root = true;
          break;
        }
        k = up;
      }
      std::uint32_t d = at_root ? 0 : (depth[k] == kOpen || depth[k] == kCycle) ? kCycle : depth[k] + 1;
      for (auto it = path.rbegin(); it != path.rend(); ++it) {
        depth[*it] = d;
        if (d != kCycle) ++d;
      }
      path.clear();
    }
  };
  std::vector<std::uint32_t> roots;
  roots.reserve(merges.size());
  for (const Merge& m : merges) {
    std::size_t root = m.end;
    for (std::size_t i = m.start; i < m.end && root == m.end; ++i)
      if (syntax::head_of(doc, i) == i) root = i;  // a headless token wins outright
    if (root == m.end) {
      if (depth.empty()) fill();
      std::size_t best = n;
      for (std::size_t i = m.start; i < m.end; ++i) {
        const std::size_t h = syntax::head_of(doc, i);
        if (h >= m.start && h < m.end) continue;
        std::size_t steps;
        const Lexeme lex = doc.vocab().lexeme(doc.token_text(i));
        if ((lex.check(FLAG_IS_SPACE) || lex.check(FLAG_IS_PUNCT)) && kids[i] == 0) {
          steps = n - 1;  // spaCy: a bare punctuation mark is the root only when nothing else can be
        } else {
          if (depth[i] == kCycle)
            throw ValueError("retokenize: the heads of token " + std::to_string(i) + " form a cycle (invalid parse)");
          steps = depth[i];
        }
        if (steps < best) {
          best = steps;
          root = i;
        }
      }
      if (root == m.end) root = m.start;
    }
    roots.push_back(static_cast<std::uint32_t>(root));
  }
  return roots;
}

void Retokenizer::apply() {
  if (pending() == 0) return;
  if (doc_.size() != n_)
    throw ValueError("retokenize: the Doc changed from " + std::to_string(n_) + " to " + std::to_string(doc_.size()) +
                     " tokens while retokenization requests were pending");
  const std::vector<TokenData>& old = doc_.tokens();
  const std::size_t n = n_;
  std::sort(merges_.begin(), merges_.end(), [](const Merge& a, const Merge& b) { return a.start < b.start; });
  std::sort(splits_.begin(), splits_.end(), [](const Split& a, const Split& b) { return a.i < b.i; });
  const auto split_of = [this](std::size_t t) -> const Split& {
    return *std::lower_bound(splits_.begin(), splits_.end(), t,
                             [](const Split& s, std::size_t x) { return s.i < x; });
  };

  // Old index -> new index (a merged span's tokens -> the merged token, a split token -> its first piece).
  std::vector<std::uint32_t> new_index(n);
  std::size_t new_n = 0;
  {
    std::size_t m = 0, s = 0;
    for (std::size_t i = 0; i < n;) {
      if (m < merges_.size() && merges_[m].start == i) {
        for (; i < merges_[m].end; ++i) new_index[i] = static_cast<std::uint32_t>(new_n);
        ++new_n;
        ++m;
      } else {
        new_index[i] = static_cast<std::uint32_t>(new_n);
        if (s < splits_.size() && splits_[s].i == i) new_n += splits_[s++].lens.size();
        else ++new_n;
        ++i;
      }
    }
  }
  if (new_n >= std::numeric_limits<std::int32_t>::max())
    throw ValueError("retokenize: the Doc would hold more tokens than weft supports");

  // Everything that can fail, before the Doc changes: subtoken heads and span roots.
  for (const Split& s : splits_) {
    for (const Head& h : s.heads) {
      const std::size_t pieces = mark_[h.token] == SPLIT ? split_of(h.token).lens.size() : 1;
      if (h.subtoken >= pieces)
        throw IndexError("retokenize: head (token " + std::to_string(h.token) + ", subtoken " +
                         std::to_string(h.subtoken) + ") of a piece of " + quote(doc_.token_text(s.i)) +
                         ": that token " +
                         (pieces > 1 || mark_[h.token] == SPLIT ? "is split into " + std::to_string(pieces) + " tokens"
                                                                : std::string("is not split")));
    }
  }
  const std::vector<std::uint32_t> roots = span_roots(doc_, merges_);
  // Merged lemmas, as spaCy: the tokens' lemmas joined by a space where the token has whitespace after it.
  std::vector<hash_t> lemmas;
  lemmas.reserve(merges_.size());
  for (const Merge& m : merges_) {
    std::string lemma;
    for (std::size_t i = m.start; i < m.end; ++i) {
      lemma += doc_.str(old[i].lemma);
      if (!doc_.whitespace(i).empty()) lemma += ' ';
    }
    const auto first = lemma.find_first_not_of(' ');
    const auto last = lemma.find_last_not_of(' ');
    lemmas.push_back(first == std::string::npos
                         ? 0
                         : doc_.intern(std::string_view(lemma).substr(first, last - first + 1)));
  }

  // New head offset of a token now at new_pos whose old head offset was `head` from old index i.
  const auto remap_head = [&](std::size_t i, std::int32_t head, std::size_t new_pos) -> std::int32_t {
    if (head == 0) return 0;
    const auto target = static_cast<std::int64_t>(i) + head;
    if (target < 0 || target >= static_cast<std::int64_t>(n)) return 0;  // outside the Doc: read as a root
    return static_cast<std::int32_t>(static_cast<std::int64_t>(new_index[static_cast<std::size_t>(target)]) -
                                     static_cast<std::int64_t>(new_pos));
  };
  const std::string_view text = doc_.text();

  std::vector<TokenData> out;
  out.reserve(new_n);
  // doc.tensor's source row of each new token (-1: zeros), where the Doc has one.
  const backend::Tensor* tensor = doc_.tensor();
  std::vector<std::int64_t> tensor_rows;
  // The entity ids (Doc::ent_ids), when the Doc has any: each new token takes those of the old token
  // named here (a merged span's root, a split token, an unchanged token).
  const bool has_ids = !doc_.ent_ids().empty();
  std::vector<EntIds> out_ids;
  const auto take_ids = [&](std::size_t i) {
    if (has_ids) out_ids.push_back({doc_.ent_kb_id(i), doc_.ent_id(i)});
  };
  {
    std::size_t m = 0, s = 0;
    for (std::size_t i = 0; i < n;) {
      if (m < merges_.size() && merges_[m].start == i) {
        const Merge& mg = merges_[m];
        const TokenData& first = old[mg.start];
        const TokenData& last = old[mg.end - 1];
        const TokenData& root = old[roots[m]];
        const std::size_t pos = out.size();
        TokenData t = first;
        t.len = last.idx + last.len - first.idx;
        take_ids(roots[m]);  // the entity is the root's (spaCy keeps the first token's ids)
        t.orth = hash_string(text.substr(t.idx, t.len));
        t.norm = 0;
        t.lemma = lemmas[m];
        t.tag = root.tag;
        t.pos = root.pos;
        t.morph = root.morph;
        t.dep = root.dep;
        t.head = remap_head(roots[m], root.head, pos);
        t.ent_type = root.ent_type;
        t.ent_iob = root.ent_iob;
        if (in_entity(root.ent_iob)) {
          t.ent_iob = EntIob::B;
          if (first.ent_iob == EntIob::I && first.ent_type == root.ent_type && pos > 0 &&
              out.back().ent_type == root.ent_type)
            t.ent_iob = EntIob::I;
        }
        t.flags = static_cast<std::uint8_t>((first.flags & ~TOKEN_MWT_NEXT) | (last.flags & TOKEN_MWT_NEXT));
        apply_attrs(t, mg.attrs);
        out.push_back(t);
        if (tensor) tensor_rows.push_back(static_cast<std::int64_t>(mg.end) - 1);
        i = mg.end;
        ++m;
      } else if (s < splits_.size() && splits_[s].i == i) {
        const Split& sp = splits_[s];
        const TokenData& orig = old[i];
        const bool in_mwt = (orig.flags & TOKEN_MWT_NEXT) || (i > 0 && (old[i - 1].flags & TOKEN_MWT_NEXT));
        std::uint32_t offset = orig.idx;
        for (std::size_t k = 0; k < sp.lens.size(); ++k) {
          const std::size_t pos = out.size();
          TokenData t = orig;
          t.idx = offset;
          t.len = sp.lens[k];
          offset += t.len;
          const std::string_view piece = text.substr(t.idx, t.len);
          t.orth = hash_string(piece);
          t.norm = 0;
          if (orig.lemma != 0) t.lemma = doc_.intern(piece);
          if (orig.ent_iob == EntIob::B && k > 0) t.ent_iob = EntIob::I;
          if (k > 0) t.sent_start = orig.sent_start != 0 ? -1 : 0;
          if (k + 1 < sp.lens.size())
            t.flags = static_cast<std::uint8_t>(in_mwt ? (orig.flags | TOKEN_MWT_NEXT)
                                                       : (orig.flags & ~TOKEN_MWT_NEXT));
          const Head& h = sp.heads[k];
          const std::size_t target = new_index[h.token] + h.subtoken;
          t.head = static_cast<std::int32_t>(static_cast<std::int64_t>(target) - static_cast<std::int64_t>(pos));
          if (!sp.attrs.empty()) apply_attrs(t, sp.attrs[k]);
          out.push_back(t);
          if (tensor) tensor_rows.push_back(-1);
          take_ids(i);
        }
        ++s;
        ++i;
      } else {
        TokenData t = old[i];
        t.head = remap_head(i, t.head, out.size());
        out.push_back(t);
        if (tensor) tensor_rows.push_back(static_cast<std::int64_t>(i));
        take_ids(i);
        ++i;
      }
    }
  }
  // Entities stay readable: an I that does not continue an entity of its type begins one.
  for (std::size_t i = 0; i < out.size(); ++i) {
    TokenData& t = out[i];
    if (t.ent_iob == EntIob::I &&
        (i == 0 || !in_entity(out[i - 1].ent_iob) || out[i - 1].ent_type != t.ent_type))
      t.ent_iob = EntIob::B;
  }

  // Extras, keyed by old token indices. A key survives when its token still begins a token.
  DocExtras& ex = doc_.extras();
  const auto survives = [&](std::uint32_t k) -> std::optional<std::uint32_t> {
    if (k >= n || (k > 0 && new_index[k - 1] == new_index[k])) return std::nullopt;
    return new_index[k];
  };
  // Sentences whose words changed (a merge of two or more tokens, a split into two or more): their
  // DEPS and empty nodes name word ids that no longer hold.
  std::vector<std::uint8_t> changed;
  if (!ex.deps.empty() || !ex.empty_nodes.empty()) {
    changed.assign(n, 0);
    std::size_t start = 0;
    bool dirty = false;
    const auto close = [&](std::size_t end) {
      if (dirty)
        std::fill(changed.begin() + static_cast<std::ptrdiff_t>(start),
                  changed.begin() + static_cast<std::ptrdiff_t>(end), 1);
    };
    for (std::size_t i = 0; i < n; ++i) {
      if (i > 0 && old[i].sent_start == 1) {
        close(i);
        start = i;
        dirty = false;
      }
      const bool merged = mark_[i] == MERGED && ((i > 0 && new_index[i - 1] == new_index[i]) ||
                                                 (i + 1 < n && new_index[i + 1] == new_index[i]));
      const bool split = mark_[i] == SPLIT && split_of(i).lens.size() > 1;
      dirty = dirty || merged || split;
    }
    close(n);
  }
  auto comments = rekey(ex.comments, survives);
  auto misc = rekey(ex.misc, survives);
  auto deps = rekey(ex.deps, [&](std::uint32_t k) -> std::optional<std::uint32_t> {
    if (k < n && changed[k]) return std::nullopt;
    return survives(k);
  });
  auto empty_nodes = rekey(ex.empty_nodes, [&](std::uint32_t k) -> std::optional<std::uint32_t> {
    if (k < n && changed[k]) return std::nullopt;
    return survives(k);
  });
  auto mwt_fields = rekey(ex.mwt_fields, [&](std::uint32_t k) -> std::optional<std::uint32_t> {
    const auto nk = survives(k);
    if (!nk || !(out[*nk].flags & TOKEN_MWT_NEXT) || (*nk > 0 && (out[*nk - 1].flags & TOKEN_MWT_NEXT)))
      return std::nullopt;
    return nk;
  });

  // Span groups (doc.spans): each span's ends map through the new indices, so a span holding part of
  // a merged span grows to the merged token and one ending in a split token keeps all its pieces.
  if (!doc_.spans().empty()) {
    std::vector<std::uint32_t> new_end(n);
    for (std::size_t i = 0; i < n; ++i)
      new_end[i] = new_index[i] + static_cast<std::uint32_t>(mark_[i] == SPLIT ? split_of(i).lens.size() : 1);
    doc_.spans().remap(new_index, new_end, new_n);
  }

  ex.comments = std::move(comments);
  ex.misc = std::move(misc);
  ex.deps = std::move(deps);
  ex.empty_nodes = std::move(empty_nodes);
  ex.mwt_fields = std::move(mwt_fields);
  doc_.tokens() = std::move(out);
  doc_.ent_ids() = std::move(out_ids);
  if (tensor) {
    // doc.tensor follows spaCy's retokenizer: a merged token takes the row of its span's last token,
    // the pieces of a split token get zero rows.
    const backend::Tensor old_rows = tensor->device().is_cpu() ? *tensor : tensor->to(backend::Device::cpu());
    const std::int64_t width = old_rows.dim(1);
    backend::Tensor rows = backend::Tensor::zeros({static_cast<std::int64_t>(tensor_rows.size()), width}, backend::DType::F32);
    const float* src = old_rows.data<float>();
    float* dst = rows.data<float>();
    for (std::size_t k = 0; k < tensor_rows.size(); ++k)
      if (tensor_rows[k] >= 0) std::copy(src + tensor_rows[k] * width, src + (tensor_rows[k] + 1) * width, dst + static_cast<std::int64_t>(k) * width);
    doc_.set_tensor(tensor->device().is_cpu() ? rows : rows.to(tensor->device()));
  }
  merges_.clear();
  splits_.clear();
  mark_.clear();
  n_ = 0;
}

}  // namespace weft
