// JSONL input: one line at a time into a reused buffer (never the whole input), parsed by simdjson's
// DOM parser, which validates the complete line, so a record is either fully well-formed or reported.
// Annotated records (with "tokens") are built from the same DOM with doc_from_json's checks.
#include <simdjson.h>

#include "doc/json_doc_reader.hpp"
#include "weft/doc/jsonl.hpp"
#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

// simdjson's DOM seen through JsonDocReader's accessor, so annotated records need no second parse.
struct SimdjsonAccess {
  using Value = simdjson::dom::element;
  static bool is_object(const Value& v) { return v.is_object(); }
  static bool is_array(const Value& v) { return v.is_array(); }
  static bool member(const Value& obj, const char* key, Value& out) { return !obj[key].get(out); }
  static bool string(const Value& v, std::string_view& out) { return !v.get(out); }
  static bool uint(const Value& v, std::uint64_t& out) {
    if (v.type() == simdjson::dom::element_type::UINT64) return !v.get(out);
    std::int64_t i = 0;
    if (v.type() != simdjson::dom::element_type::INT64 || v.get(i) || i < 0) return false;
    out = static_cast<std::uint64_t>(i);
    return true;
  }
  template <class F>
  static void each(const Value& arr, F&& f) {
    simdjson::dom::array items;
    if (arr.get(items)) return;  // is_array was checked
    for (const Value item : items) f(item);
  }
  static std::string dump(const Value& v) { return simdjson::minify(v); }
};

}  // namespace

struct JsonlReader::Impl {
  Impl(std::istream& in_, std::shared_ptr<Vocab> vocab_, std::string source_, bool skip_bad_)
      : in(in_), vocab(std::move(vocab_)), source(std::move(source_)), skip_bad(skip_bad_) {}

  std::istream& in;
  std::shared_ptr<Vocab> vocab;
  std::string source;
  bool skip_bad;
  std::uint64_t line_no = 0;
  std::string line;
  simdjson::dom::parser parser;

  [[noreturn]] void fail(const std::string& cause) const { throw FormatError(cause, Location{source, line_no}); }

  JsonlRecord parse_line() {
    if (!simdjson::validate_utf8(line.data(), line.size())) {
      const std::size_t bad = utf8::first_invalid(line);
      throw EncodingError("invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the line",
                          Location{source, line_no, bad + 1});
    }
    // simdjson reads up to SIMDJSON_PADDING bytes past the end; the string's spare capacity provides them.
    line.reserve(line.size() + simdjson::SIMDJSON_PADDING);
    simdjson::dom::element root;
    if (const auto err = parser.parse(line.data(), line.size(), false).get(root))
      fail(std::string("invalid JSON: ") + simdjson::error_message(err));
    simdjson::dom::object obj;
    if (root.get(obj)) fail("expected a JSON object, found " + type_name(root));
    JsonlRecord rec;
    rec.line = line_no;
    simdjson::dom::element text;
    if (obj["text"].get(text)) fail("\"text\" is missing");
    std::string_view text_view;
    if (text.get(text_view)) fail("\"text\" must be a string, found " + type_name(text));
    rec.text.assign(text_view);
    simdjson::dom::element meta;
    if (!obj["meta"].get(meta)) {
      if (!meta.is_object()) fail("\"meta\" must be an object, found " + type_name(meta));
      rec.meta_json = simdjson::minify(meta);
    }
    simdjson::dom::element tokens;
    if (!obj["tokens"].get(tokens)) {
      rec.doc.emplace(JsonDocReader<SimdjsonAccess>(root, vocab, source).read());
      rec.meta_json = rec.doc->extras().meta_json;
    }
    return rec;
  }

  static std::string type_name(const simdjson::dom::element& e) {
    using T = simdjson::dom::element_type;
    switch (e.type()) {
      case T::ARRAY: return "an array";
      case T::OBJECT: return "an object";
      case T::INT64:
      case T::UINT64:
      case T::DOUBLE: return "a number";
      case T::STRING: return "a string";
      case T::BOOL: return "a boolean";
      case T::NULL_VALUE: return "null";
    }
    return "a JSON value";
  }
};

JsonlReader::JsonlReader(std::istream& in, std::shared_ptr<Vocab> vocab, std::string source, bool skip_bad)
    : impl_(std::make_unique<Impl>(in, std::move(vocab), std::move(source), skip_bad)) {
  if (!impl_->vocab) throw ValueError("JsonlReader needs a Vocab");
}

JsonlReader::~JsonlReader() = default;

std::optional<JsonlRecord> JsonlReader::next() {
  Impl& m = *impl_;
  while (std::getline(m.in, m.line)) {
    ++m.line_no;
    if (m.line_no == 1 && m.line.compare(0, 3, "\xEF\xBB\xBF") == 0) m.line.erase(0, 3);  // a UTF-8 byte order mark
    if (!m.line.empty() && m.line.back() == '\r') m.line.pop_back();
    if (m.line.find_first_not_of(" \t") == std::string::npos) continue;
    try {
      return m.parse_line();
    } catch (Error& e) {
      e.locate(m.source, m.line_no);
      if (!m.skip_bad) throw;
      skipped_.emplace_back(e.what());
    }
  }
  if (m.in.bad()) throw IOError("error while reading", Location{m.source, m.line_no});
  return std::nullopt;
}

}  // namespace weft
