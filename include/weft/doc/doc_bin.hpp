// DocBin: many Docs with all their annotations in one binary blob (spaCy's DocBin, our own layout):
// a header with a magic, a format version and the document count, then one length-prefixed record per
// Doc holding its text, token records, the strings its hashes need, its extras and its span groups
// (doc.spans), then an XXH3
// checksum. Loading checks the magic, version, every length against the bytes left and the checksum,
// and throws FormatError naming the source and the bad record: nothing is read past a header's claims.
//
// Layout (version 2, all integers little-endian; str = u32 byte length + UTF-8 bytes):
//   file    "WEFTDOCB" | u32 version | u32 reserved (0) | u64 n_docs | n_docs x (u64 length | record)
//           | u64 XXH3-64 (seed 0) of every byte before it
//   record  str text | u32 n_tokens | n_tokens x token | u32 n_strings | n_strings x str | extras | groups
//   token   u32 idx | u32 len | u64 orth, norm, lemma, tag, morph, dep, ent_type | i32 head | u8 pos
//           | u8 ent_iob | i8 sent_start | u8 flags | u64 ent_kb_id, ent_id                (88 bytes)
//   extras  comments | misc | deps | mwt_fields | empty_nodes | str meta_json, where a list-valued map
//           is u32 n | n x (u32 key | u32 n_lines | n_lines x str) and a string-valued map
//           u32 n | n x (u32 key | str), keys ascending
//   groups  u32 n_groups | n_groups x (str key | str name | str attrs_json | u32 n_spans
//           | n_spans x span), in doc.spans order (a group under two keys is written twice)
//   span    u32 start | u32 end | u64 label, kb_id, id                                     (32 bytes)
// The strings are those behind every non-zero hash of the record's tokens (except an orth that is
// the hash of the token's own text) and spans, so a fresh Vocab can decode a record.
// Version 1 (weft before span groups) is read too: its token records are 72 bytes, without ent_kb_id
// and ent_id, and its records end after the extras. from_bytes upgrades them to version 2 (ids 0, no
// groups), so a DocBin always writes version 2.
#pragma once

#include <cstddef>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/doc/doc.hpp"

namespace weft {

class DocBin {
 public:
  DocBin() = default;
  void add(const Doc& doc);
  std::size_t size() const noexcept { return records_.size(); }
  // Rebuilds the Docs over `vocab` (strings not known to the vocab go to each Doc's pool).
  std::vector<Doc> get_docs(std::shared_ptr<Vocab> vocab) const;
  std::string to_bytes() const;
  static DocBin from_bytes(std::string_view bytes, const std::string& source = "<bytes>");
  void to_disk(const std::string& path) const;
  static DocBin from_disk(const std::string& path);

 private:
  std::vector<std::string> records_;  // one serialized Doc each
  std::string source_ = "<DocBin>";   // names the input in errors from get_docs
};

}  // namespace weft
