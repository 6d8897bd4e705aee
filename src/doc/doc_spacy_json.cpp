// Doc <-> spaCy's Doc.to_json schema (doc_json.hpp). Writing mirrors spaCy's to_json field by field;
// reading builds the tokens from their character offsets and hands their annotations to
// Doc::annotate, so Doc(vocab, words, tags=..., ...) and from_json share one set of rules.
#include <string>
#include <vector>

#include "weft/doc/doc_json.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace {

std::string_view str_or_empty(const Doc& doc, hash_t h) { return h ? doc.str(h) : std::string_view(); }

[[noreturn]] void fail(const std::string& what) { throw ValueError("Doc.from_json: " + what); }

const Json& member(const Json& obj, const char* key, const std::string& where) {
  const auto it = obj.find(key);
  if (it == obj.end()) fail(where + " has no \"" + key + "\"");
  return *it;
}

std::uint64_t offset(const Json& obj, const char* key, const std::string& where) {
  const Json& v = member(obj, key, where);
  if (v.is_number_unsigned()) return v.get<std::uint64_t>();
  if (v.is_number_integer() && v.get<std::int64_t>() >= 0) return static_cast<std::uint64_t>(v.get<std::int64_t>());
  fail(where + ": \"" + key + "\" must be a non-negative integer, not " + v.dump());
}

std::string string_value(const Json& v, const std::string& where) {
  if (!v.is_string()) fail(where + " must be a string, not " + v.dump());
  return v.get<std::string>();
}

// The span [start, end) in characters, on token boundaries (spaCy's E1039 otherwise).
Span char_span(const Doc& doc, const Json& obj, const char* what, std::size_t k) {
  const std::string where = std::string(what) + " " + std::to_string(k);
  if (!obj.is_object()) fail(where + " must be an object");
  const std::uint64_t start = offset(obj, "start", where), end = offset(obj, "end", where);
  std::optional<Span> s;
  if (start <= end) s = doc.char_span(start, end);
  if (!s)
    fail("the " + std::string(what) + " [" + std::to_string(start) + ", " + std::to_string(end) +
         ") does not start and end on token boundaries (spaCy's E1039)");
  return *s;
}

}  // namespace

Json doc_to_spacy_json(const Doc& doc) {
  Json j = Json::object();
  j["text"] = doc.text();
  const auto start_char = [&](std::size_t i) { return doc.char_offset(doc.data(i).idx); };
  const auto end_char = [&](std::size_t i) { return doc.char_offset(doc.data(i).idx + doc.data(i).len); };
  if (doc.has_annotation(Attr::ENT_IOB)) {
    Json ents = Json::array();
    for (const Span& e : doc.ents())
      ents.push_back({{"start", start_char(e.start())}, {"end", end_char(e.end() - 1)}, {"label", str_or_empty(doc, e.label())}});
    j["ents"] = std::move(ents);
  }
  if (doc.has_annotation(Attr::SENT_START)) {
    Json sents = Json::array();
    std::size_t start = 0;
    for (std::size_t i = 1; i <= doc.size(); ++i) {
      if (i < doc.size() && doc.data(i).sent_start != 1) continue;
      sents.push_back({{"start", start_char(start)}, {"end", end_char(i - 1)}});
      start = i;
    }
    j["sents"] = std::move(sents);
  }
  const bool tag = doc.has_annotation(Attr::TAG), pos = doc.has_annotation(Attr::POS);
  const bool morph = doc.has_annotation(Attr::MORPH), lemma = doc.has_annotation(Attr::LEMMA);
  const bool dep = doc.has_annotation(Attr::DEP);
  Json tokens = Json::array();
  for (std::size_t i = 0; i < doc.size(); ++i) {
    const TokenData& t = doc.data(i);
    Json tok = {{"id", i}, {"start", start_char(i)}, {"end", end_char(i)}};
    if (tag) tok["tag"] = str_or_empty(doc, t.tag);
    if (pos) tok["pos"] = upos_name(t.pos);
    if (morph) tok["morph"] = str_or_empty(doc, t.morph);
    if (lemma) tok["lemma"] = str_or_empty(doc, t.lemma);
    if (dep) {
      tok["dep"] = str_or_empty(doc, t.dep);
      tok["head"] = static_cast<std::int64_t>(i) + t.head;
    }
    tokens.push_back(std::move(tok));
  }
  j["tokens"] = std::move(tokens);
  return j;
}

Doc doc_from_spacy_json(const Json& json, std::shared_ptr<Vocab> vocab) {
  if (!json.is_object()) fail("the document must be a JSON object, not " + json.dump());
  Doc doc(std::move(vocab), string_value(member(json, "text", "the document"), "\"text\""));
  const Json& tokens = member(json, "tokens", "the document");
  if (!tokens.is_array()) fail("\"tokens\" must be an array");
  const std::size_t n_chars = utf8::length(doc.text());

  // Token-level fields, in spaCy's order; a field counts when token 0 has it (E1040 when a later token
  // has a field token 0 lacks, or some tokens lack one token 0 has).
  static constexpr const char* kFields[] = {"pos", "head", "dep", "lemma", "tag", "morph"};
  std::vector<std::string> strings[6];
  std::vector<std::int64_t> heads;
  bool present[6] = {};
  std::uint64_t prev_end = 0;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    const Json& tok = tokens[i];
    const std::string where = "token " + std::to_string(i);
    if (!tok.is_object()) fail(where + " must be an object");
    const std::uint64_t start = offset(tok, "start", where), end = offset(tok, "end", where);
    if (start >= end || end > n_chars)
      fail(where + ": [" + std::to_string(start) + ", " + std::to_string(end) +
           ") is not a non-empty range inside the text of " + std::to_string(n_chars) + " characters");
    if (start < prev_end) fail(where + " overlaps the token before it");
    prev_end = end;
    const std::size_t b = doc.byte_offset(start), e = doc.byte_offset(end);
    doc.push_token(b, e - b);
    for (std::size_t f = 0; f < 6; ++f) {
      const auto it = tok.find(kFields[f]);
      if (it == tok.end()) continue;
      if (i == 0) present[f] = true;
      if (!present[f])
        fail("\"" + std::string(kFields[f]) + "\" is on token " + std::to_string(i) +
             " but not on token 0; a token field must be on every token (spaCy's E1040)");
      if (f == 1) {
        if (!it->is_number_integer()) fail(where + ": \"head\" must be an integer, not " + it->dump());
        heads.push_back(it->get<std::int64_t>());
      } else {
        strings[f].push_back(string_value(*it, where + ": \"" + kFields[f] + "\""));
      }
    }
  }
  const std::size_t n = doc.size();
  for (std::size_t f = 0; f < 6; ++f)
    if (present[f] && (f == 1 ? heads.size() : strings[f].size()) != n)
      fail("\"" + std::string(kFields[f]) + "\" is on some tokens only; a token field must be on every token (spaCy's E1040)");
  DocAnnotations a;
  if (present[0]) a.pos = std::move(strings[0]);
  if (present[1]) a.heads = std::move(heads);
  if (present[2]) a.deps = std::move(strings[2]);
  if (present[3]) a.lemmas = std::move(strings[3]);
  if (present[4]) a.tags = std::move(strings[4]);
  if (present[5]) a.morphs = std::move(strings[5]);
  doc.annotate(a);

  // Sentences, unless a parse decides them.
  if (const auto it = json.find("sents"); it != json.end() && !doc.has_annotation(Attr::DEP)) {
    if (!it->is_array()) fail("\"sents\" must be an array");
    for (std::size_t k = 0; k < it->size(); ++k) {
      const Span s = char_span(doc, (*it)[k], "sentence", k);
      for (std::size_t i = s.start(); i < s.end(); ++i) doc.data(i).sent_start = i == s.start() ? 1 : -1;
    }
  }
  if (const auto it = json.find("ents"); it != json.end()) {
    if (!it->is_array()) fail("\"ents\" must be an array");
    std::vector<Span> ents;
    for (std::size_t k = 0; k < it->size(); ++k) {
      const Span s = char_span(doc, (*it)[k], "entity", k);
      const std::string label = string_value(member((*it)[k], "label", "entity " + std::to_string(k)),
                                             "entity " + std::to_string(k) + ": \"label\"");
      ents.emplace_back(&doc, s.start(), s.end(), doc.intern(label));
    }
    doc.set_ents(ents);
  }
  return doc;
}

}  // namespace weft
