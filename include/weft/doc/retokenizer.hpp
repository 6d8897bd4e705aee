// Retokenizer: spaCy's doc.retokenize(). Merges (a span becomes one token) and splits (a token
// becomes several) are collected and then applied together by apply(), in one pass over the token
// array, so every index given to merge() and split() refers to the Doc as it was before: the order of
// the requests does not matter. Nothing changes until apply(); when a request or apply() fails the Doc
// is left exactly as it was.
//
// merge(span, attrs): the new token covers the span's text (inner whitespace included). It takes the
// span root's (syntax::span_root) head, dep, tag, pos, morph and entity (ent_kb_id and ent_id too), the lemmas of the span joined
// by a space where a token had whitespace after it (spaCy), no norm override, the first token's
// sentence start and the last token's TOKEN_MWT_NEXT bit (so a merged token stays joined to the surface
// token its last word was part of; links inside the span disappear). The entity: B when the root is
// in one, I when also the first token continued an entity of that type from the token before (spaCy).
// Heads that pointed into the span point to the merged token.
//
// split(token, orths, heads, attrs): orths must concatenate to the token's text (Doc::text never
// changes; spaCy's split takes no spaces either). Subtokens inherit the token's tag, pos, morph, dep,
// entity (B becomes B I I ...) and flags; a set lemma becomes each subtoken's text; the norm override
// is dropped. The first subtoken keeps the sentence start, the others are "not a start" (-1) when the
// token's start was decided. Subtokens of a token inside a multi-word token stay linked to each other
// (TOKEN_MWT_NEXT), those of a stand-alone token are not. heads[k] is the head of subtoken k: a token
// of the old Doc ({token, 0}; a token inside a merged span means the merged token) or {split token,
// j}, its j-th subtoken. Heads of other tokens that pointed to the split token point to its first
// subtoken, as in spaCy.
//
// attrs (TokenAttrs) override the defaults above: LEMMA, NORM, TAG, POS, MORPH (canonicalized to UD
// order), DEP, ENT_TYPE, ENT_IOB, SENT_START. Setting ENT_TYPE without ENT_IOB makes the token B of that
// type when it was outside an entity, and "" makes it O (spaCy would leave a type on an O token, which
// no entity reading sees). Afterwards an I token whose previous token is not in an entity of its type
// becomes B, over the whole Doc (spaCy's make_iob_consistent).
//
// Errors (ValueError unless said): an empty span (spaCy E199) or one of another Doc; spans that overlap
// (E102; the same span twice is merged once, as spaCy); orths that do not concatenate to the text
// (E117) or are empty; heads or attrs lists whose length is not the number of orths (E115); a token
// both merged and split, or split twice; a subtoken index out of range (IndexError); attributes that
// cannot be set per token (HEAD, SPACY, the lexical ones) or bad values.
//
// Span groups (Doc::spans) follow the tokens: a span [s, e) becomes [first new token of s, one past
// the last new token of e - 1), so a span that held part of a merged span now holds the merged token,
// and one that held a split token holds all its pieces (spaCy leaves doc.spans stale).
//
// DocExtras are re-keyed to the new indices. Entries of tokens that disappear into a merge (all but
// the span's first) are dropped, and so are the enhanced dependencies (DEPS) and empty nodes of every
// sentence whose words changed, since the word ids they hold are stale. A range line's stored fields
// (mwt_fields) are kept only while their token still starts a multi-word token.
//
// Cost: O(n + total size of the requests) for apply() on a Doc of n tokens: one pass building the new
// token array, one over the extras, and (when a merged span has no headless token) one computing every
// token's depth for the span roots, which syntax::span_root would find by a walk to the root per span.
// Token and Span views of the Doc taken before apply() keep their indices, as in spaCy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"

namespace weft {

// Attribute values for a merged token or one subtoken. Unset fields keep the defaults described above.
struct TokenAttrs {
  std::optional<std::string> lemma, norm, tag, morph, dep, ent_type;
  std::optional<UPOS> pos;
  std::optional<EntIob> ent_iob;
  std::optional<std::int8_t> sent_start;  // 1, -1 or 0

  // Sets one attribute from its string form, as in spaCy's attrs dicts: POS by name ("PROPN"), ENT_IOB
  // as "B", "I", "O" or "", SENT_START as "1", "-1", "0", "true" or "false". ValueError for an
  // attribute that cannot be set per token or a bad value.
  void set(Attr a, std::string_view value);
  bool empty() const noexcept {
    return !lemma && !norm && !tag && !morph && !dep && !ent_type && !pos && !ent_iob && !sent_start;
  }
};

class Retokenizer {
 public:
  // The head of a subtoken: token `token` of the Doc before retokenization, or its `subtoken`-th
  // piece when that token is split in the same batch (subtoken must be 0 otherwise).
  struct Head {
    std::size_t token = 0;
    std::size_t subtoken = 0;
  };

  explicit Retokenizer(Doc& doc) : doc_(doc) {}
  Retokenizer(const Retokenizer&) = delete;
  Retokenizer& operator=(const Retokenizer&) = delete;

  // Marks tokens [start, end) (or the span, which must be a view of this Doc) to become one token.
  void merge(std::size_t start, std::size_t end, const TokenAttrs& attrs = {});
  void merge(const Span& span, const TokenAttrs& attrs = {});
  // Marks token i to become orths.size() tokens. `attrs` is empty or holds one entry per subtoken.
  void split(std::size_t i, const std::vector<std::string>& orths, const std::vector<Head>& heads,
             const std::vector<TokenAttrs>& attrs = {});
  void split(const Token& token, const std::vector<std::string>& orths, const std::vector<Head>& heads,
             const std::vector<TokenAttrs>& attrs = {});

  // Applies every request at once and forgets them (the Retokenizer may collect again). Does nothing
  // when there are none. On an exception the Doc is unchanged and the requests are kept.
  void apply();
  std::size_t pending() const noexcept { return merges_.size() + splits_.size(); }

  // Attribute values resolved to what a TokenData stores (strings interned in the Doc's pool); internal.
  struct Resolved {
    std::optional<hash_t> lemma, norm, tag, morph, dep, ent_type;
    std::optional<UPOS> pos;
    std::optional<EntIob> ent_iob;
    std::optional<std::int8_t> sent_start;
  };

 private:
  struct Merge {
    std::uint32_t start, end;
    Resolved attrs;
  };
  struct Split {
    std::uint32_t i;
    std::vector<std::uint32_t> lens;  // byte length of each subtoken
    std::vector<Head> heads;
    std::vector<Resolved> attrs;  // empty or one per subtoken
  };
  enum Mark : std::uint8_t { NONE = 0, MERGED = 1, SPLIT = 2 };

  void mark_size_check();
  static std::vector<std::uint32_t> span_roots(const Doc& doc, const std::vector<Merge>& merges);
  Resolved resolve(const TokenAttrs& a);

  Doc& doc_;
  std::size_t n_ = 0;            // the Doc's size when the first request came
  std::vector<std::uint8_t> mark_;  // per token: Mark, sized on the first request
  std::vector<Merge> merges_;
  std::vector<Split> splits_;
};

}  // namespace weft
