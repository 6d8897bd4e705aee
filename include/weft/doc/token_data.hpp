// The plain per-token record a Doc stores in one contiguous array. Every richer object (Token, Span)
// is a view onto these. Text is never copied: a token is a byte range of Doc::text. String-valued
// annotations are 64-bit hashes (hash.hpp); 0 means "not set".
#pragma once

#include <cstdint>

#include "weft/doc/upos.hpp"
#include "weft/strings/hash.hpp"

namespace weft {

// Entity IOB codes, as in spaCy: 0 = no annotation, 1 = inside, 2 = outside, 3 = begins.
enum class EntIob : std::uint8_t { MISSING = 0, I = 1, O = 2, B = 3 };

// TokenData::flags bits.
enum TokenFlag : std::uint8_t {
  // This token and the next one are words of one surface token (a UD multi-word token such as
  // "don't" = "do" + "n't"); a surface token is a maximal run of tokens linked by this bit.
  TOKEN_MWT_NEXT = 1u << 0,
};

// The entity ids of one token (spaCy's ent_kb_id and ent_id). Few documents carry them, so they are not
// in TokenData: a Doc keeps them in a side table allocated when the first one is written (Doc::ent_ids).
struct EntIds {
  hash_t kb_id = 0;  // knowledge-base id of the entity (spaCy's ent_kb_id)
  hash_t id = 0;     // id of the entity (spaCy's ent_id: an EntityRuler pattern's "id")
};

// 72 bytes: the tokenizer appends one per token, so every byte here costs throughput.
struct TokenData {
  std::uint32_t idx = 0;  // byte offset of the token in Doc::text
  std::uint32_t len = 0;  // byte length
  hash_t orth = 0;        // hash of the token's text
  hash_t norm = 0;        // token-level norm override; 0 = the lexeme's norm
  hash_t lemma = 0;
  hash_t tag = 0;         // fine-grained tag (UD XPOS)
  hash_t morph = 0;       // UD FEATS string, canonical order
  hash_t dep = 0;         // dependency label
  hash_t ent_type = 0;    // entity label
  std::int32_t head = 0;  // head as an offset from this token; 0 = root or unset (dep tells)
  UPOS pos = UPOS::NONE;
  EntIob ent_iob = EntIob::MISSING;
  std::int8_t sent_start = 0;  // 1 = starts a sentence, -1 = does not, 0 = unknown
  std::uint8_t flags = 0;      // TokenFlag bits
};
static_assert(sizeof(TokenData) == 72, "TokenData's size is part of the tokenizer's speed: see docs/architecture.md");

}  // namespace weft
