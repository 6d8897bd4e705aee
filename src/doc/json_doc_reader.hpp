// Builds a Doc from doc_json.hpp's layout, checking every field and naming the first problem. It is
// written once over a small accessor (Access) so the same checks serve nlohmann trees (doc_from_json)
// and simdjson's DOM (the JSONL reader, which would otherwise spend most of its time building nlohmann
// trees). Access provides, for its value type V: is_object, is_array, member(obj, key, out),
// string(v, out), uint(v, out) (false unless a non-negative integer), each(array, f) and dump(v).
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "weft/doc/doc.hpp"
#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

template <class Access>
class JsonDocReader {
 public:
  using V = typename Access::Value;

  JsonDocReader(const V& json, std::shared_ptr<Vocab> vocab, const std::string& source)
      : json_(json), vocab_(std::move(vocab)), source_(source) {}

  Doc read() {
    if (!Access::is_object(json_)) fail("a document must be a JSON object");
    V text;
    if (!Access::member(json_, "text", text)) fail("\"text\" is missing");
    std::string_view text_view;
    if (!Access::string(text, text_view)) fail("\"text\" must be a string");
    Doc doc = make_doc(text_view);
    n_chars_ = utf8::length(doc.text());
    read_tokens(doc);
    read_ents(doc);
    read_sents(doc);
    read_mwt(doc);
    V meta;
    if (Access::member(json_, "meta", meta)) {
      if (!Access::is_object(meta)) fail("\"meta\" must be an object");
      doc.extras().meta_json = Access::dump(meta);
    }
    return doc;
  }

 private:
  struct Span {
    std::size_t start, end;  // tokens
    hash_t label;
  };

  [[noreturn]] void fail(const std::string& cause) const { throw FormatError(cause, Location{source_}); }

  static std::string field(const std::string& where, const char* key) { return where + ": \"" + key + "\""; }

  Doc make_doc(std::string_view text) const {
    try {
      return Doc(vocab_, std::string(text));
    } catch (Error& e) {
      e.locate(source_, 0);
      throw;
    }
  }

  std::uint64_t uint_of(const V& v, const std::string& where, const char* key) const {
    std::uint64_t out = 0;
    if (!Access::uint(v, out)) fail(field(where, key) + " must be a non-negative integer");
    return out;
  }

  std::uint64_t required_uint(const V& obj, const char* key, const std::string& where) const {
    V v;
    if (!Access::member(obj, key, v)) fail(field(where, key) + " is missing");
    return uint_of(v, where, key);
  }

  // An optional string field: false when absent, fails when not a string.
  bool string_member(const V& obj, const char* key, const std::string& where, std::string_view& out) const {
    V v;
    if (!Access::member(obj, key, v)) return false;
    if (!Access::string(v, out)) fail(field(where, key) + " must be a string");
    return true;
  }

  // Interns an optional string field; 0 when absent.
  hash_t string_field(Doc& doc, const V& obj, const char* key, const std::string& where) const {
    std::string_view s;
    return string_member(obj, key, where, s) ? doc.intern(s) : 0;
  }

  bool array_field(const char* key, V& out) const {
    if (!Access::member(json_, key, out)) return false;
    if (!Access::is_array(out)) fail(std::string("\"") + key + "\" must be an array");
    return true;
  }

  void read_tokens(Doc& doc) {
    V tokens;
    if (!array_field("tokens", tokens)) return;
    std::vector<std::pair<std::size_t, std::uint64_t>> heads;  // (token, head) where given
    std::uint64_t prev_end = 0;
    std::size_t i = 0;
    std::string where;
    Access::each(tokens, [&](const V& tok) {
      where = "token " + std::to_string(i);
      if (!Access::is_object(tok)) fail(where + " must be an object");
      V v;
      if (Access::member(tok, "id", v)) {
        if (const std::uint64_t id = uint_of(v, where, "id"); id != i)
          fail(field(where, "id") + " is " + std::to_string(id) + ", expected " + std::to_string(i));
      }
      const std::uint64_t start = required_uint(tok, "start", where), end = required_uint(tok, "end", where);
      if (start >= end || end > n_chars_)
        fail(where + ": [" + std::to_string(start) + ", " + std::to_string(end) +
             ") is not a non-empty range inside the text of " + std::to_string(n_chars_) + " characters");
      if (start < prev_end) fail(where + " overlaps the token before it");
      prev_end = end;
      const std::size_t b = doc.byte_offset(start), e = doc.byte_offset(end);
      doc.push_token_unchecked(static_cast<std::uint32_t>(b), static_cast<std::uint32_t>(e - b),
                               hash_string(std::string_view(doc.text()).substr(b, e - b)));
      const hash_t tag = string_field(doc, tok, "tag", where), morph = string_field(doc, tok, "morph", where);
      const hash_t lemma = string_field(doc, tok, "lemma", where), dep = string_field(doc, tok, "dep", where);
      std::string_view pos_name;
      if (string_member(tok, "pos", where, pos_name)) {
        const auto pos = upos_from_name(pos_name);
        if (!pos) fail(where + ": unknown \"pos\" '" + std::string(pos_name) + "'");
        doc.data(i).pos = *pos;
      }
      TokenData& t = doc.data(i);
      t.tag = tag;
      t.morph = morph;
      t.lemma = lemma;
      t.dep = dep;
      if (Access::member(tok, "head", v)) heads.emplace_back(i, uint_of(v, where, "head"));
      ++i;
    });
    const std::size_t n = doc.size();
    for (const auto& [k, head] : heads) {
      if (head >= n)
        fail("token " + std::to_string(k) + ": \"head\" " + std::to_string(head) +
             " is out of range (the document has " + std::to_string(n) + " tokens)");
      doc.data(k).head = static_cast<std::int32_t>(static_cast<std::int64_t>(head) - static_cast<std::int64_t>(k));
    }
    starts_.resize(n);
    ends_.resize(n);
    for (std::size_t k = 0; k < n; ++k) {
      starts_[k] = doc.char_offset(doc.data(k).idx);
      ends_[k] = doc.char_offset(doc.data(k).idx + doc.data(k).len);
    }
  }

  // The token whose start (or end) is at character `c`; fails naming `what` when none is.
  std::size_t token_at(const std::vector<std::size_t>& offsets, std::uint64_t c, const std::string& what) const {
    const auto it = std::lower_bound(offsets.begin(), offsets.end(), c);
    if (it == offsets.end() || *it != c) fail(what + " " + std::to_string(c) + " is not on a token boundary");
    return static_cast<std::size_t>(it - offsets.begin());
  }

  void read_ents(Doc& doc) {
    V ents;
    if (!array_field("ents", ents)) return;
    std::vector<Span> spans;
    std::size_t k = 0;
    Access::each(ents, [&](const V& ent) {
      const std::string where = "entity " + std::to_string(k++);
      if (!Access::is_object(ent)) fail(where + " must be an object");
      const std::uint64_t start = required_uint(ent, "start", where), end = required_uint(ent, "end", where);
      std::string_view label;
      if (!string_member(ent, "label", where, label)) fail(field(where, "label") + " is missing");
      if (label.empty()) fail(field(where, "label") + " is empty (an entity needs a label)");
      const hash_t label_hash = doc.intern(label);
      const std::size_t first = token_at(starts_, start, where + ": start");
      const std::size_t last = token_at(ends_, end, where + ": end");
      if (last < first) fail(where + ": end " + std::to_string(end) + " is before its start " + std::to_string(start));
      spans.push_back({first, last + 1, label_hash});
    });
    std::sort(spans.begin(), spans.end(), [](const Span& a, const Span& b) { return a.start < b.start; });
    for (std::size_t s = 1; s < spans.size(); ++s)
      if (spans[s].start < spans[s - 1].end) fail("entities overlap at token " + std::to_string(spans[s].start));
    for (TokenData& t : doc.tokens()) t.ent_iob = EntIob::O;
    for (const Span& s : spans) {
      for (std::size_t i = s.start; i < s.end; ++i) {
        doc.data(i).ent_iob = i == s.start ? EntIob::B : EntIob::I;
        doc.data(i).ent_type = s.label;
      }
    }
  }

  void read_sents(Doc& doc) {
    V sents;
    if (!array_field("sents", sents)) return;
    for (TokenData& t : doc.tokens()) t.sent_start = -1;
    std::size_t k = 0;
    Access::each(sents, [&](const V& sent) {
      const std::string where = "sentence " + std::to_string(k++);
      if (!Access::is_object(sent)) fail(where + " must be an object");
      const std::size_t first = token_at(starts_, required_uint(sent, "start", where), where + ": start");
      token_at(ends_, required_uint(sent, "end", where), where + ": end");
      doc.data(first).sent_start = 1;
    });
  }

  void read_mwt(Doc& doc) {
    V mwt;
    if (!array_field("mwt", mwt)) return;
    Access::each(mwt, [&](const V& v) {
      std::uint64_t i = 0;
      if (!Access::uint(v, i)) fail("\"mwt\" entries must be non-negative integers");
      if (i + 1 >= doc.size()) fail("\"mwt\" entry " + std::to_string(i) + " has no next token to join");
      if (doc.data(i).idx + doc.data(i).len != doc.data(i + 1).idx)
        fail("\"mwt\" entry " + std::to_string(i) + ": the token and the next one are not adjacent in the text");
      doc.data(i).flags |= TOKEN_MWT_NEXT;
    });
  }

  V json_;
  std::shared_ptr<Vocab> vocab_;
  const std::string& source_;
  std::size_t n_chars_ = 0;
  std::vector<std::size_t> starts_, ends_;  // code-point offsets of token starts and ends, increasing
};

}  // namespace weft
