// Doc <-> spaCy's Doc.to_json layout. doc_to_json builds the tree; doc_to_json_line writes the same
// content as text directly (one pass, no tree), because the JSONL writer calls it once per document.
// doc_from_json trusts nothing (json_doc_reader.hpp checks every field).
#include "weft/doc/doc_json.hpp"

#include <charconv>

#include "doc/json_doc_reader.hpp"
#include "weft/error.hpp"

namespace weft {

namespace {

std::vector<std::size_t> sentence_starts(const Doc& doc) {
  std::vector<std::size_t> starts;
  for (std::size_t i = 0; i < doc.size(); ++i)
    if (i == 0 || doc.data(i).sent_start == 1) starts.push_back(i);
  return starts;
}

std::size_t start_char(const Doc& doc, std::size_t i) { return doc.char_offset(doc.data(i).idx); }
std::size_t end_char(const Doc& doc, std::size_t i) { return doc.char_offset(doc.data(i).idx + doc.data(i).len); }

// Which token fields spaCy would write: an attribute appears on every token once any token has it.
struct Included {
  bool tag, pos, morph, lemma, dep;
  explicit Included(const Doc& doc)
      : tag(doc.has_annotation(Attr::TAG)),
        pos(doc.has_annotation(Attr::POS)),
        morph(doc.has_annotation(Attr::MORPH)),
        lemma(doc.has_annotation(Attr::LEMMA)),
        dep(doc.has_annotation(Attr::DEP) || doc.has_annotation(Attr::HEAD)) {}
};

std::string_view str_or_empty(const Doc& doc, hash_t h) { return h ? doc.str(h) : std::string_view(); }

// Whether weft's JSONL record carries "sents": as before spaCy's one-token rule reached has_annotation
// (a one-token Doc writes them only when parsed), so the CLI's output does not change.
bool jsonl_has_sents(const Doc& doc) {
  return doc.size() == 1 ? doc.has_annotation(Attr::DEP) : doc.has_annotation(Attr::SENT_START);
}

// ---- the text writer: the escaping of nlohmann's dump() (ensure_ascii off), so both agree byte for byte.
void put_string(std::string& out, std::string_view s) {
  static constexpr char kHex[] = "0123456789abcdef";
  out += '"';
  std::size_t run = 0;  // start of the pending unescaped run
  for (std::size_t i = 0; i < s.size(); ++i) {
    const auto c = static_cast<unsigned char>(s[i]);
    if (c >= 0x20 && c != '"' && c != '\\') continue;
    out.append(s.data() + run, i - run);
    run = i + 1;
    switch (c) {
      case '"': out += "\\\""; break;
      case '\\': out += "\\\\"; break;
      case '\b': out += "\\b"; break;
      case '\f': out += "\\f"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      case '\t': out += "\\t"; break;
      default:
        out += "\\u00";
        out += kHex[c >> 4];
        out += kHex[c & 0xF];
    }
  }
  out.append(s.data() + run, s.size() - run);
  out += '"';
}

void put_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void put_key(std::string& out, std::string_view key) {
  out += '"';
  out += key;
  out += "\":";
}

// ,"key":"value" (a field after the first one of an object).
void put_string_field(std::string& out, std::string_view key, std::string_view value) {
  out += ',';
  put_key(out, key);
  put_string(out, value);
}

// nlohmann's tree seen through JsonDocReader's accessor.
struct NlohmannAccess {
  using Value = const Json*;
  static bool is_object(Value v) { return v->is_object(); }
  static bool is_array(Value v) { return v->is_array(); }
  static bool member(Value obj, const char* key, Value& out) {
    const auto it = obj->find(key);
    if (it == obj->end()) return false;
    out = &*it;
    return true;
  }
  static bool string(Value v, std::string_view& out) {
    if (!v->is_string()) return false;
    out = v->get_ref<const std::string&>();
    return true;
  }
  static bool uint(Value v, std::uint64_t& out) {
    if (v->is_number_unsigned()) {
      out = v->get<std::uint64_t>();
      return true;
    }
    if (!v->is_number_integer() || v->get<std::int64_t>() < 0) return false;
    out = static_cast<std::uint64_t>(v->get<std::int64_t>());
    return true;
  }
  template <class F>
  static void each(Value arr, F&& f) {
    for (const Json& item : *arr) f(&item);
  }
  static std::string dump(Value v) { return v->dump(); }
};

}  // namespace

Json doc_to_json(const Doc& doc) {
  Json j = Json::object();
  j["text"] = doc.text();
  if (doc.has_annotation(Attr::ENT_IOB)) {
    Json ents = Json::array();
    for (const Span& e : doc.ents())
      ents.push_back({{"start", start_char(doc, e.start())},
                      {"end", end_char(doc, e.end() - 1)},
                      {"label", str_or_empty(doc, e.label())}});
    j["ents"] = std::move(ents);
  }
  if (jsonl_has_sents(doc)) {
    Json sents = Json::array();
    const auto starts = sentence_starts(doc);
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const std::size_t last = (k + 1 < starts.size() ? starts[k + 1] : doc.size()) - 1;
      sents.push_back({{"start", start_char(doc, starts[k])}, {"end", end_char(doc, last)}});
    }
    j["sents"] = std::move(sents);
  }
  const Included inc(doc);
  Json tokens = Json::array();
  Json mwt = Json::array();
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const TokenData& t = doc.data(i);
    Json tok = {{"id", i}, {"start", start_char(doc, i)}, {"end", end_char(doc, i)}};
    if (inc.tag) tok["tag"] = str_or_empty(doc, t.tag);
    if (inc.pos) tok["pos"] = upos_name(t.pos);
    if (inc.morph) tok["morph"] = str_or_empty(doc, t.morph);
    if (inc.lemma) tok["lemma"] = str_or_empty(doc, t.lemma);
    if (inc.dep) {
      tok["dep"] = str_or_empty(doc, t.dep);
      tok["head"] = static_cast<std::int64_t>(i) + t.head;
    }
    tokens.push_back(std::move(tok));
    if (t.flags & TOKEN_MWT_NEXT) mwt.push_back(i);
  }
  j["tokens"] = std::move(tokens);
  if (!mwt.empty()) j["mwt"] = std::move(mwt);
  if (!doc.extras().meta_json.empty()) j["meta"] = parse_json(doc.extras().meta_json, "meta");
  return j;
}

namespace {

// The JSONL line into `out`; flush(out) after each item of a list, so a writer can pass the line on in
// pieces.
template <class Flush>
void json_line(const Doc& doc, std::string& out, Flush&& flush) {
  out += '{';
  put_key(out, "text");
  put_string(out, doc.text());
  if (doc.has_annotation(Attr::ENT_IOB)) {
    out += ",\"ents\":[";
    bool first = true;
    for (const Span& e : doc.ents()) {
      out += first ? "{\"start\":" : ",{\"start\":";
      first = false;
      put_uint(out, start_char(doc, e.start()));
      out += ",\"end\":";
      put_uint(out, end_char(doc, e.end() - 1));
      out += ",\"label\":";
      put_string(out, str_or_empty(doc, e.label()));
      out += '}';
      flush(out);
    }
    out += ']';
  }
  if (jsonl_has_sents(doc)) {
    out += ",\"sents\":[";
    const auto starts = sentence_starts(doc);
    for (std::size_t k = 0; k < starts.size(); ++k) {
      const std::size_t last = (k + 1 < starts.size() ? starts[k + 1] : doc.size()) - 1;
      out += k ? ",{\"start\":" : "{\"start\":";
      put_uint(out, start_char(doc, starts[k]));
      out += ",\"end\":";
      put_uint(out, end_char(doc, last));
      out += '}';
      flush(out);
    }
    out += ']';
  }
  const Included inc(doc);
  out += ",\"tokens\":[";
  bool has_mwt = false;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const TokenData& t = doc.data(i);
    out += i ? ",{\"id\":" : "{\"id\":";
    put_uint(out, i);
    out += ",\"start\":";
    put_uint(out, start_char(doc, i));
    out += ",\"end\":";
    put_uint(out, end_char(doc, i));
    if (inc.tag) put_string_field(out, "tag", str_or_empty(doc, t.tag));
    if (inc.pos) put_string_field(out, "pos", upos_name(t.pos));
    if (inc.morph) put_string_field(out, "morph", str_or_empty(doc, t.morph));
    if (inc.lemma) put_string_field(out, "lemma", str_or_empty(doc, t.lemma));
    if (inc.dep) {
      put_string_field(out, "dep", str_or_empty(doc, t.dep));
      out += ",\"head\":";
      put_uint(out, static_cast<std::uint64_t>(static_cast<std::int64_t>(i) + t.head));
    }
    out += '}';
    has_mwt = has_mwt || (t.flags & TOKEN_MWT_NEXT);
    flush(out);
  }
  out += ']';
  if (has_mwt) {
    out += ",\"mwt\":[";
    bool first = true;
    for (std::size_t i = 0; i < doc.size(); ++i) {
      if (!(doc.data(i).flags & TOKEN_MWT_NEXT)) continue;
      if (!first) out += ',';
      first = false;
      put_uint(out, i);
    }
    out += ']';
  }
  if (const std::string& meta = doc.extras().meta_json; !meta.empty()) {
    out += ",\"meta\":";
    // Stored metadata is normally compact JSON from a JSONL line and is copied as is; anything spread
    // over lines would break the one-document-per-line framing, so it is re-serialized.
    if (meta.find_first_of("\n\r") == std::string::npos) out += meta;
    else out += parse_json(meta, "meta").dump();
  }
  out += '}';
}

}  // namespace

std::string doc_to_json_line(const Doc& doc) {
  std::string out;
  out.reserve(doc.text().size() * 2 + doc.size() * 96 + 64);
  json_line(doc, out, [](std::string&) {});
  return out;
}

void write_json_line(const Doc& doc, std::ostream& os, std::string& buffer) {
  constexpr std::size_t kFlush = 1 << 16;
  buffer.clear();
  json_line(doc, buffer, [&](std::string& out) {
    if (out.size() < kFlush) return;
    os.write(out.data(), static_cast<std::streamsize>(out.size()));
    out.clear();
  });
  os.write(buffer.data(), static_cast<std::streamsize>(buffer.size()));
  if (buffer.capacity() > 4 * kFlush) std::string().swap(buffer);  // a long Doc's text went through it
}

Doc doc_from_json(const Json& json, std::shared_ptr<Vocab> vocab, const std::string& source) {
  return JsonDocReader<NlohmannAccess>(&json, std::move(vocab), source).read();
}

}  // namespace weft
