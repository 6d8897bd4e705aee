// DocBin (the layout is in doc_bin.hpp). Every read goes through ByteReader, which checks each
// length against the bytes left before using it, so a corrupt or hostile input can only produce a
// FormatError, never an out-of-bounds read or an allocation larger than the input.
#include "weft/doc/doc_bin.hpp"

#include <xxhash.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <unordered_set>

#include "weft/error.hpp"
#include "weft/json.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

constexpr char kMagic[8] = {'W', 'E', 'F', 'T', 'D', 'O', 'C', 'B'};
// Version 2 added ent_kb_id and ent_id to the token records and the span groups; version 1 files are
// upgraded to version 2 records when read (DocBin::from_bytes).
constexpr std::uint32_t kVersion = 2;
constexpr std::size_t kHeaderSize = 24, kChecksumSize = 8, kTokenSizeV1 = 72, kTokenSize = 88, kSpanSize = 32;

class ByteWriter {
 public:
  explicit ByteWriter(std::string& out) : out_(out) {}
  void u8(std::uint8_t v) { out_ += static_cast<char>(v); }
  void u32(std::uint32_t v) {
    for (int k = 0; k < 4; ++k) out_ += static_cast<char>((v >> (8 * k)) & 0xFFu);
  }
  void u64(std::uint64_t v) {
    for (int k = 0; k < 8; ++k) out_ += static_cast<char>((v >> (8 * k)) & 0xFFu);
  }
  void str(std::string_view s) {
    if (s.size() > UINT32_MAX)
      throw ValueError("a string of " + std::to_string(s.size()) + " bytes is too long for a DocBin");
    u32(static_cast<std::uint32_t>(s.size()));
    out_ += s;
  }

 private:
  std::string& out_;
};

std::uint64_t load_u64(const char* p) {
  std::uint64_t v = 0;
  for (int k = 7; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(p[k]);
  return v;
}

class ByteReader {
 public:
  ByteReader(std::string_view bytes, const std::string& what) : p_(bytes), what_(what) {}
  std::size_t left() const { return p_.size(); }
  [[noreturn]] void fail(const std::string& cause) const { throw FormatError(what_ + ": " + cause); }

  std::uint8_t u8() { return static_cast<std::uint8_t>(take(1)[0]); }
  std::uint32_t u32() {
    const char* p = take(4);
    std::uint32_t v = 0;
    for (int k = 3; k >= 0; --k) v = (v << 8) | static_cast<unsigned char>(p[k]);
    return v;
  }
  std::uint64_t u64() { return load_u64(take(8)); }
  std::string_view bytes(std::size_t n) { return std::string_view(take(n), n); }
  std::string_view rest() { return bytes(left()); }
  std::string_view str() {
    const std::uint32_t n = u32();
    if (n > left())
      fail("a string claims " + std::to_string(n) + " bytes but only " + std::to_string(left()) + " are left");
    const std::string_view s(take(n), n);
    if (const std::size_t bad = utf8::first_invalid(s); bad != utf8::npos)
      fail("a string is not valid UTF-8 (byte " + std::to_string(bad) + ")");
    return s;
  }
  // A count of items at least `min_size` bytes each, checked against the bytes left.
  std::uint32_t count(std::size_t min_size, const char* items) {
    const std::uint32_t n = u32();
    if (n > left() / min_size)
      fail("claims " + std::to_string(n) + " " + items + " but only " + std::to_string(left()) + " bytes are left");
    return n;
  }

 private:
  const char* take(std::size_t n) {
    if (n > p_.size())
      fail("truncated (needs " + std::to_string(n) + " more bytes, " + std::to_string(p_.size()) + " left)");
    const char* p = p_.data();
    p_.remove_prefix(n);
    return p;
  }
  std::string_view p_;
  const std::string& what_;
};

template <class Map>
std::vector<std::uint32_t> sorted_keys(const Map& m) {
  std::vector<std::uint32_t> keys;
  keys.reserve(m.size());
  for (const auto& kv : m) keys.push_back(kv.first);
  std::sort(keys.begin(), keys.end());
  return keys;
}

void write_line_map(ByteWriter& w, const std::map<std::uint32_t, std::vector<std::string>>& m) {
  w.u32(static_cast<std::uint32_t>(m.size()));
  for (const auto& [key, lines] : m) {
    w.u32(key);
    w.u32(static_cast<std::uint32_t>(lines.size()));
    for (const auto& l : lines) w.str(l);
  }
}

void write_str_map(ByteWriter& w, const std::unordered_map<std::uint32_t, std::string>& m) {
  w.u32(static_cast<std::uint32_t>(m.size()));
  for (const std::uint32_t key : sorted_keys(m)) {
    w.u32(key);
    w.str(m.at(key));
  }
}

void read_line_map(ByteReader& r, std::map<std::uint32_t, std::vector<std::string>>& m) {
  const std::uint32_t n = r.count(8, "entries");
  for (std::uint32_t k = 0; k < n; ++k) {
    auto& lines = m[r.u32()];
    const std::uint32_t n_lines = r.count(4, "lines");
    for (std::uint32_t l = 0; l < n_lines; ++l) lines.emplace_back(r.str());
  }
}

void read_str_map(ByteReader& r, std::unordered_map<std::uint32_t, std::string>& m) {
  const std::uint32_t n = r.count(8, "entries");
  for (std::uint32_t k = 0; k < n; ++k) {
    const std::uint32_t key = r.u32();
    m[key] = std::string(r.str());
  }
}

std::string serialize(const Doc& doc) {
  std::string out;
  out.reserve(doc.text().size() + doc.size() * (kTokenSize + 16) + 64);
  ByteWriter w(out);
  w.str(doc.text());
  if (doc.size() > UINT32_MAX)
    throw ValueError("a Doc of " + std::to_string(doc.size()) + " tokens is too long for a DocBin");
  w.u32(static_cast<std::uint32_t>(doc.size()));
  std::vector<hash_t> hashes;
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const TokenData& t = doc.data(i);
    w.u32(t.idx);
    w.u32(t.len);
    for (const hash_t h : {t.orth, t.norm, t.lemma, t.tag, t.morph, t.dep, t.ent_type}) w.u64(h);
    w.u32(static_cast<std::uint32_t>(t.head));
    w.u8(static_cast<std::uint8_t>(t.pos));
    w.u8(static_cast<std::uint8_t>(t.ent_iob));
    w.u8(static_cast<std::uint8_t>(t.sent_start));
    w.u8(t.flags);
    const hash_t kb_id = doc.ent_kb_id(i), id = doc.ent_id(i);
    w.u64(kb_id);
    w.u64(id);
    for (const hash_t h : {t.norm, t.lemma, t.tag, t.morph, t.dep, t.ent_type, kb_id, id})
      if (h) hashes.push_back(h);
    if (t.orth && t.orth != hash_string(doc.token_text(i))) hashes.push_back(t.orth);
  }
  const SpanGroups& groups = doc.spans();
  for (const auto& [key, group] : groups)
    for (const SpanRecord& s : group->spans)
      for (const hash_t h : {s.label, s.kb_id, s.id})
        if (h) hashes.push_back(h);
  std::sort(hashes.begin(), hashes.end());
  hashes.erase(std::unique(hashes.begin(), hashes.end()), hashes.end());
  w.u32(static_cast<std::uint32_t>(hashes.size()));
  for (const hash_t h : hashes) w.str(doc.str(h));
  const DocExtras& ex = doc.extras();
  write_line_map(w, ex.comments);
  write_str_map(w, ex.misc);
  write_str_map(w, ex.deps);
  write_str_map(w, ex.mwt_fields);
  write_line_map(w, ex.empty_nodes);
  w.str(ex.meta_json);
  w.u32(static_cast<std::uint32_t>(groups.size()));
  for (const auto& [key, group] : groups) {
    w.str(key);
    w.str(group->name);
    w.str(group->attrs_json);
    w.u32(static_cast<std::uint32_t>(group->spans.size()));
    for (const SpanRecord& s : group->spans) {
      w.u32(s.start);
      w.u32(s.end);
      w.u64(s.label);
      w.u64(s.kb_id);
      w.u64(s.id);
    }
  }
  return out;
}

// A version-1 record as a version-2 one: every 72-byte token gains a zero ent_kb_id and ent_id, and an
// empty span-group list follows the extras. Only the lengths are checked here; get_docs checks the rest.
std::string upgrade_v1(std::string_view record, const std::string& what) {
  ByteReader r(record, what);
  std::string out;
  ByteWriter w(out);
  w.str(r.str());
  const std::uint32_t n = r.count(kTokenSizeV1, "tokens");
  out.reserve(record.size() + std::size_t{n} * (kTokenSize - kTokenSizeV1) + 4);
  w.u32(n);
  for (std::uint32_t i = 0; i < n; ++i) {
    out += r.bytes(kTokenSizeV1);
    w.u64(0);
    w.u64(0);
  }
  out += r.rest();
  w.u32(0);
  return out;
}

bool is_continuation(char c) { return (static_cast<unsigned char>(c) & 0xC0u) == 0x80u; }

Doc deserialize(std::string_view record, const std::shared_ptr<Vocab>& vocab, const std::string& what) {
  ByteReader r(record, what);
  const std::string_view text = r.str();
  Doc doc(vocab, std::string(text));
  const std::uint32_t n = r.count(kTokenSize, "tokens");
  auto& tokens = doc.tokens();
  tokens.resize(n);
  std::size_t prev_end = 0;
  for (std::uint32_t i = 0; i < n; ++i) {
    TokenData& t = tokens[i];
    const std::string where = "token " + std::to_string(i) + ": ";
    t.idx = r.u32();
    t.len = r.u32();
    for (hash_t* h : {&t.orth, &t.norm, &t.lemma, &t.tag, &t.morph, &t.dep, &t.ent_type}) *h = r.u64();
    t.head = static_cast<std::int32_t>(r.u32());
    const std::uint8_t pos = r.u8(), iob = r.u8();
    t.sent_start = static_cast<std::int8_t>(r.u8());
    t.flags = r.u8();
    doc.set_ent_kb_id(i, r.u64());
    doc.set_ent_id(i, r.u64());
    const std::size_t end = static_cast<std::size_t>(t.idx) + t.len;
    if (t.len == 0 || end > text.size() || t.idx < prev_end)
      r.fail(where + "byte range [" + std::to_string(t.idx) + ", " + std::to_string(end) +
             ") is empty, outside the text or overlaps the previous token");
    if (is_continuation(text[t.idx]) || (end < text.size() && is_continuation(text[end])))
      r.fail(where + "does not start and end on character boundaries");
    if (i > 0 && (tokens[i - 1].flags & TOKEN_MWT_NEXT) && t.idx != prev_end)
      r.fail("token " + std::to_string(i - 1) +
             ": marked as a multi-word token with the next token, but text lies between them");
    prev_end = end;
    if (t.flags & ~std::uint8_t{TOKEN_MWT_NEXT}) r.fail(where + "unknown flag bits " + std::to_string(t.flags));
    if (i + 1 == n && (t.flags & TOKEN_MWT_NEXT))
      r.fail(where + "marked as a multi-word token with the next token, but it is the last token");
    if (pos >= static_cast<std::uint8_t>(UPOS::COUNT)) r.fail(where + "invalid POS code " + std::to_string(pos));
    if (iob > static_cast<std::uint8_t>(EntIob::B)) r.fail(where + "invalid entity IOB code " + std::to_string(iob));
    if ((iob == static_cast<std::uint8_t>(EntIob::B) || iob == static_cast<std::uint8_t>(EntIob::I)) && t.ent_type == 0)
      r.fail(where + "inside an entity (IOB code " + std::to_string(iob) + ") but without an entity type");
    if (t.sent_start < -1 || t.sent_start > 1) r.fail(where + "invalid sentence start " + std::to_string(t.sent_start));
    const std::int64_t head = static_cast<std::int64_t>(i) + t.head;
    if (head < 0 || head >= static_cast<std::int64_t>(n))
      r.fail(where + "head offset " + std::to_string(t.head) + " is out of range");
    t.pos = static_cast<UPOS>(pos);
    t.ent_iob = static_cast<EntIob>(iob);
  }
  std::unordered_set<hash_t> known;
  const std::uint32_t n_strings = r.count(4, "strings");
  for (std::uint32_t k = 0; k < n_strings; ++k) known.insert(doc.intern(r.str()));
  const StringStore& store = vocab->strings();
  auto resolvable = [&](hash_t h) { return h == 0 || known.count(h) || store.contains(h); };
  for (std::uint32_t i = 0; i < n; ++i) {
    const TokenData& t = tokens[i];
    for (const hash_t h : {t.norm, t.lemma, t.tag, t.morph, t.dep, t.ent_type, doc.ent_kb_id(i), doc.ent_id(i)})
      if (!resolvable(h)) r.fail("token " + std::to_string(i) + ": no string for hash " + std::to_string(h));
    if (t.orth != hash_string(doc.token_text(i)) && !resolvable(t.orth))
      r.fail("token " + std::to_string(i) + ": no string for its orth hash " + std::to_string(t.orth));
  }
  DocExtras& ex = doc.extras();
  read_line_map(r, ex.comments);
  read_str_map(r, ex.misc);
  read_str_map(r, ex.deps);
  read_str_map(r, ex.mwt_fields);
  read_line_map(r, ex.empty_nodes);
  ex.meta_json = std::string(r.str());
  const std::uint32_t n_groups = r.count(16, "span groups");
  for (std::uint32_t g = 0; g < n_groups; ++g) {
    const std::string key(r.str());
    const std::string where = "span group \"" + key + "\": ";
    if (doc.spans().contains(key)) r.fail(where + "appears twice");
    auto group = std::make_shared<SpanGroup>();
    group->name = std::string(r.str());
    group->attrs_json = std::string(r.str());
    if (!group->attrs_json.empty()) {
      bool object = false;
      try {
        object = parse_json(group->attrs_json, what).is_object();
      } catch (const Error&) {
      }
      if (!object) r.fail(where + "attrs are not a JSON object");
    }
    const std::uint32_t n_spans = r.count(kSpanSize, "spans");
    group->spans.resize(n_spans);
    for (std::uint32_t k = 0; k < n_spans; ++k) {
      SpanRecord& s = group->spans[k];
      s.start = r.u32();
      s.end = r.u32();
      s.label = r.u64();
      s.kb_id = r.u64();
      s.id = r.u64();
      if (s.start > s.end || s.end > n)
        r.fail(where + "span " + std::to_string(k) + " [" + std::to_string(s.start) + ", " + std::to_string(s.end) +
               ") is outside the Doc's " + std::to_string(n) + " tokens");
      for (const hash_t h : {s.label, s.kb_id, s.id})
        if (!resolvable(h)) r.fail(where + "span " + std::to_string(k) + ": no string for hash " + std::to_string(h));
    }
    doc.spans().set(key, std::move(group));
  }
  if (r.left() != 0) r.fail(std::to_string(r.left()) + " unexpected bytes at the end");
  return doc;
}

}  // namespace

void DocBin::add(const Doc& doc) { records_.push_back(serialize(doc)); }

std::vector<Doc> DocBin::get_docs(std::shared_ptr<Vocab> vocab) const {
  if (!vocab) throw ValueError("DocBin::get_docs needs a Vocab");
  std::vector<Doc> docs;
  docs.reserve(records_.size());
  for (std::size_t k = 0; k < records_.size(); ++k) {
    const std::string what = "document " + std::to_string(k);
    try {
      docs.push_back(deserialize(records_[k], vocab, what));
    } catch (Error& e) {
      // Errors from Doc itself (an invalid text) get the same framing as the format's own.
      const std::string cause = e.cause().rfind(what, 0) == 0 ? e.cause() : what + ": " + e.cause();
      throw FormatError(cause, Location{source_});
    }
  }
  return docs;
}

std::string DocBin::to_bytes() const {
  std::size_t total = kHeaderSize + kChecksumSize;
  for (const auto& r : records_) total += 8 + r.size();
  std::string out;
  out.reserve(total);
  out.append(kMagic, sizeof kMagic);
  ByteWriter w(out);
  w.u32(kVersion);
  w.u32(0);
  w.u64(records_.size());
  for (const auto& r : records_) {
    w.u64(r.size());
    out += r;
  }
  w.u64(XXH3_64bits(out.data(), out.size()));
  return out;
}

DocBin DocBin::from_bytes(std::string_view bytes, const std::string& source) {
  auto fail = [&](const std::string& cause) -> void { throw FormatError(cause, Location{source}); };
  if (bytes.size() < kHeaderSize + kChecksumSize)
    fail("truncated: " + std::to_string(bytes.size()) + " bytes, a DocBin has at least " +
         std::to_string(kHeaderSize + kChecksumSize));
  if (std::memcmp(bytes.data(), kMagic, sizeof kMagic) != 0) fail("not a DocBin (wrong magic bytes)");
  const std::string header(bytes.substr(0, kHeaderSize));
  ByteReader head(std::string_view(header).substr(sizeof kMagic), source);
  const std::uint32_t version = head.u32();
  if (version != 1 && version != kVersion)
    fail("unsupported DocBin version " + std::to_string(version) + " (this build reads versions 1 and " +
         std::to_string(kVersion) + ")");
  if (const std::uint32_t reserved = head.u32(); reserved != 0)
    fail("unsupported DocBin flags " + std::to_string(reserved));
  const std::uint64_t n_docs = head.u64();
  const std::size_t end = bytes.size() - kChecksumSize;
  std::size_t pos = kHeaderSize;
  if (n_docs > (end - pos) / 8)
    fail("claims " + std::to_string(n_docs) + " documents but only " + std::to_string(end - pos) +
         " bytes follow (truncated?)");
  DocBin bin;
  bin.source_ = source;
  bin.records_.reserve(static_cast<std::size_t>(n_docs));
  for (std::uint64_t k = 0; k < n_docs; ++k) {
    if (end - pos < 8) fail("document " + std::to_string(k) + ": truncated before its length");
    const std::uint64_t len = load_u64(bytes.data() + pos);
    pos += 8;
    if (len > end - pos)
      fail("document " + std::to_string(k) + " claims " + std::to_string(len) + " bytes but only " +
           std::to_string(end - pos) + " are left (truncated?)");
    bin.records_.emplace_back(bytes.substr(pos, static_cast<std::size_t>(len)));
    pos += static_cast<std::size_t>(len);
  }
  if (pos != end) fail(std::to_string(end - pos) + " unexpected bytes after the last document");
  if (load_u64(bytes.data() + end) != XXH3_64bits(bytes.data(), end)) fail("checksum mismatch: the data is corrupt");
  if (version == 1) {
    for (std::size_t k = 0; k < bin.records_.size(); ++k) {
      try {
        bin.records_[k] = upgrade_v1(bin.records_[k], "document " + std::to_string(k));
      } catch (const FormatError& e) {
        fail(e.cause());
      }
    }
  }
  return bin;
}

void DocBin::to_disk(const std::string& path) const { write_file(path, to_bytes()); }

DocBin DocBin::from_disk(const std::string& path) { return from_bytes(read_file(path), path); }

}  // namespace weft
