#include "weft/components/entity_ruler/entity_ruler.hpp"

#include <algorithm>
#include <fstream>
#include <set>
#include <tuple>

#include "pipeline/builtins.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/registry.hpp"
#include "weft/strings/utf8.hpp"
#include "weft/tokenize/tokenizer_base.hpp"

namespace weft {

namespace {

// A JSON value as one short line for error messages.
std::string show(const Json& j, std::size_t limit = 60) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > limit) s = s.substr(0, limit) + "...";
  return s;
}

std::string type_name(const Json& j) {
  if (j.is_boolean()) return "a boolean";
  if (j.is_number()) return "a number";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "a list";
  if (j.is_object()) return "a dict";
  return "null";
}

// Attributes whose values come from components: spaCy runs the components before the ruler on phrase
// patterns, weft only tokenizes them, so pattern Docs would never have these values.
const char* needs_components(Attr a) {
  switch (a) {
    case Attr::TAG: case Attr::POS: return "a tagger";
    case Attr::MORPH: return "a morphologizer";
    case Attr::LEMMA: return "a lemmatizer";
    case Attr::DEP: return "a parser";
    case Attr::ENT_TYPE: case Attr::ENT_IOB: return "an entity recognizer";
    default: return nullptr;
  }
}

PhraseMatcher make_phrase_matcher(const std::shared_ptr<Vocab>& vocab, const EntityRulerConfig& c) {
  return c.phrase_matcher_attr ? PhraseMatcher(vocab, *c.phrase_matcher_attr) : PhraseMatcher(vocab, Attr::ORTH);
}

}  // namespace

// ---- config -------------------------------------------------------------------------------------

EntityRulerConfig EntityRulerConfig::from_json(const Json& j) {
  EntityRulerConfig c;
  if (j.is_null()) return c;
  if (!j.is_object()) throw ValueError("entity_ruler config must be a JSON object, got " + type_name(j));
  check_config_keys(j, {"phrase_matcher_attr", "validate", "overwrite_ents", "ent_id_sep", "patterns"}, "the entity_ruler config");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "phrase_matcher_attr") {
      if (v.is_null()) {
        c.phrase_matcher_attr.reset();
        continue;
      }
      if (!v.is_string())
        throw ValueError("entity_ruler config: \"phrase_matcher_attr\" must be null or an attribute name such as "
                         "\"LOWER\", got " + show(v));
      const Attr a = PhraseMatcher::parse_attr(v.get<std::string>());  // ValueError naming a bad name
      if (const char* source = needs_components(a))
        throw ValueError("entity_ruler config: \"phrase_matcher_attr\" " + std::string(attr_name(a)) +
                         " needs phrase patterns annotated by " + source +
                         ", but the entity ruler only tokenizes them; use token patterns to match on " +
                         std::string(attr_name(a)));
      c.phrase_matcher_attr = std::string(attr_name(a));
    } else if (k == "validate" || k == "overwrite_ents") {
      if (!v.is_boolean()) throw ValueError("entity_ruler config: \"" + k + "\" must be true or false, got " + show(v));
      (k == "validate" ? c.validate : c.overwrite_ents) = v.get<bool>();
    } else if (k == "ent_id_sep") {
      if (!v.is_string() || v.get<std::string>().empty())
        throw ValueError("entity_ruler config: \"ent_id_sep\" must be a non-empty string, got " + show(v));
      utf8::check(v.get<std::string>(), "entity_ruler ent_id_sep");
      c.ent_id_sep = v.get<std::string>();
    }
  }
  return c;
}

Json EntityRulerConfig::to_json() const {
  Json j = Json::object();
  j["phrase_matcher_attr"] = phrase_matcher_attr ? Json(*phrase_matcher_attr) : Json(nullptr);
  j["validate"] = validate;
  j["overwrite_ents"] = overwrite_ents;
  j["ent_id_sep"] = ent_id_sep;
  return j;
}

// ---- construction -------------------------------------------------------------------------------

EntityRuler::EntityRuler(std::string name, const Json& config, std::shared_ptr<Vocab> vocab)
    : Component(std::move(name)),
      config_(EntityRulerConfig::from_json(config)),
      vocab_(vocab),
      matcher_(vocab),
      phrase_matcher_(make_phrase_matcher(vocab, config_)) {
  if (config.is_object() && config.contains("patterns")) {
    const Json& p = config["patterns"];
    if (!p.is_array()) throw ValueError("entity_ruler config: \"patterns\" must be a list, got " + show(p));
    add_patterns(p);
  }
}

EntityRuler::~EntityRuler() = default;

const TokenizerBase& EntityRuler::tokenizer() {
  if (tokenizer_) return *tokenizer_;
  // A ruler outside a pipeline tokenizes with its language's own tokenizer.
  const std::string& lang = vocab_->lang();
  if (lang.empty() || !Registry::global().has("languages", lang))
    throw ValueError("entity_ruler: phrase patterns need a tokenizer, and the vocab's language \"" + lang +
                     "\" is not registered; add the ruler to a pipeline (nlp.add_pipe) or give it one "
                     "(set_tokenizer)");
  tokenizer_ = make_tokenizer(language_data(lang).tokenizer, vocab_);
  return *tokenizer_;
}

void EntityRuler::set_tokenizer(std::shared_ptr<const TokenizerBase> tokenizer) {
  if (tokenizer_ == tokenizer) return;
  std::shared_ptr<const TokenizerBase> previous = std::move(tokenizer_);
  tokenizer_ = std::move(tokenizer);
  // spaCy's phrase patterns are Docs made by the pipeline; here they follow the pipeline's tokenizer.
  if (std::none_of(entries_.begin(), entries_.end(), [](const Entry& e) { return e.phrase; })) return;
  try {
    rebuild();
  } catch (...) {
    tokenizer_ = std::move(previous);
    rebuild();
    throw;
  }
}

// ---- adding patterns ----------------------------------------------------------------------------

void EntityRuler::fail(const Source& src, std::size_t k, std::string_view label, const std::string& cause) {
  std::string what = "entity_ruler: pattern";
  if (src.file.empty()) what += " " + std::to_string(k);
  if (!label.empty()) what += " (label \"" + std::string(label) + "\")";
  what += ": " + cause;
  if (src.file.empty()) throw ValueError(what);
  throw ValueError(what, Location{src.file, k < src.lines.size() ? src.lines[k] : 0});
}

void EntityRuler::check(const Json& p, std::size_t k, const Source& src, Batch& batch, Matcher& scratch) const {
  if (!p.is_object())
    fail(src, k, "", "must be a dict with \"label\" and \"pattern\", got " + type_name(p) + " " + show(p));
  const auto label_it = p.find("label");
  if (label_it == p.end()) fail(src, k, "", "has no \"label\" (in " + show(p) + ")");
  if (!label_it->is_string() || label_it->get<std::string>().empty())
    fail(src, k, "", "\"label\" must be a non-empty string, got " + show(*label_it));
  const std::string label = label_it->get<std::string>();
  if (utf8::first_invalid(label) != utf8::npos) fail(src, k, "", "\"label\" is not valid UTF-8");

  std::string id;
  if (const auto id_it = p.find("id"); id_it != p.end() && !id_it->is_null()) {
    if (!id_it->is_string()) fail(src, k, label, "\"id\" must be a string, got " + show(*id_it));
    id = id_it->get<std::string>();
    if (utf8::first_invalid(id) != utf8::npos) fail(src, k, label, "\"id\" is not valid UTF-8");
  }

  const auto pattern_it = p.find("pattern");
  if (pattern_it == p.end()) fail(src, k, label, "has no \"pattern\"");
  const Json& pattern = *pattern_it;
  if (!pattern.is_string() && !pattern.is_array())
    fail(src, k, label,
         "\"pattern\" must be a string (a phrase) or a list of token specs (a token pattern), got " +
             type_name(pattern) + " " + show(pattern));

  // spaCy's key: the label, joined with the id when there is one.
  Key key{label, id, id.empty() ? label : label + config_.ent_id_sep + id, hash_string(label), 0};
  const hash_t match_id = hash_string(key.name);
  const std::unordered_map<hash_t, Key>& batch_keys = batch.new_keys;
  for (const auto* table : {&keys_, &batch_keys}) {
    const auto known = table->find(match_id);
    if (known == table->end()) continue;
    if (known->second.label != key.label || known->second.id != key.id)
      fail(src, k, label,
           "its key \"" + key.name + "\" (label + ent_id_sep + id) is also that of label \"" + known->second.label +
               "\" with id \"" + known->second.id + "\"");
    break;
  }

  Entry e;
  e.match_id = match_id;
  if (pattern.is_string()) {
    e.phrase = true;
    e.text = pattern.get<std::string>();
    if (const std::size_t bad = utf8::first_invalid(e.text); bad != utf8::npos)
      fail(src, k, label, "the phrase is not valid UTF-8 (byte " + std::to_string(bad) + ")");
  } else {
    try {
      scratch.add(key.name, Json::array({pattern}));
    } catch (const ValueError& err) {
      // The Matcher names the key and "pattern 0" of this one-pattern call; the position that means
      // something to the user is the ruler's, so only the token and cause are kept.
      std::string msg = err.what();
      const std::string prefix = "Matcher: key \"" + key.name + "\", pattern 0";
      if (msg.rfind(prefix, 0) == 0) {
        msg = msg.substr(prefix.size());
        if (msg.rfind(", ", 0) == 0 || msg.rfind(": ", 0) == 0) msg = msg.substr(2);
      }
      fail(src, k, label, "bad token pattern: " + msg);
    }
    e.tokens = pattern;
  }
  if (!keys_.count(match_id) && !batch.new_keys.count(match_id)) batch.new_keys.emplace(match_id, std::move(key));
  batch.entries.push_back(std::move(e));
}

void EntityRuler::add_to_matchers(const Entry& e) {
  const Key& key = keys_.at(e.match_id);
  if (e.phrase) {
    const Doc doc = tokenizer()(e.text);
    const Doc* docs[] = {&doc};
    phrase_matcher_.add(key.name, std::span<const Doc* const>(docs, 1));
  } else {
    matcher_.add(key.name, Json::array({e.tokens}));
  }
}

void EntityRuler::commit(Batch batch, const Source& src) {
  std::vector<hash_t> added_keys;
  for (const Entry& e : batch.entries) {  // new keys in the order of their first pattern
    auto it = batch.new_keys.find(e.match_id);
    if (it == batch.new_keys.end()) continue;
    it->second.order = next_order_++;
    keys_.emplace(e.match_id, std::move(it->second));
    batch.new_keys.erase(it);
    added_keys.push_back(e.match_id);
  }
  // Labels and ids join the StringStore so that entity labels and ids resolve through the Vocab
  // (operator() keeps them in the Doc's pool when the store is frozen).
  if (!vocab_->strings().frozen())
    for (const hash_t id : added_keys) {
      vocab_->strings().add(keys_.at(id).label);
      if (!keys_.at(id).id.empty()) vocab_->strings().add(keys_.at(id).id);
    }
  const std::size_t before = entries_.size();
  std::size_t k = 0;
  try {
    entries_.reserve(before + batch.entries.size());
    for (; k < batch.entries.size(); ++k) {
      add_to_matchers(batch.entries[k]);
      entries_.push_back(std::move(batch.entries[k]));
    }
  } catch (const Error& err) {
    // The patterns were checked; what fails here is the tokenizer (a Python one may raise) or the
    // matchers' limits. Go back to the state before the call.
    const Entry& e = batch.entries[k];
    const std::string label = keys_.at(e.match_id).label;
    const std::string cause = (e.phrase ? "cannot add the phrase " + show(Json(e.text)) : std::string("cannot add it")) +
                              ": " + err.what();
    entries_.resize(before);
    for (const hash_t id : added_keys) keys_.erase(id);
    rebuild();
    fail(src, k, label, cause);
  } catch (...) {
    entries_.resize(before);
    for (const hash_t id : added_keys) keys_.erase(id);
    rebuild();
    throw;
  }
}

void EntityRuler::add_patterns(const Json& patterns) {
  if (!patterns.is_array())
    throw ValueError("entity_ruler: add_patterns takes a list of patterns, got " + type_name(patterns) + " " +
                     show(patterns));
  const Source src;
  Batch batch;
  Matcher scratch(vocab_);
  for (std::size_t k = 0; k < patterns.size(); ++k) check(patterns[k], k, src, batch, scratch);
  commit(std::move(batch), src);
}

void EntityRuler::add_patterns_jsonl(const std::filesystem::path& path) {
  Source src;
  src.file = path.string();
  if (std::filesystem::is_directory(path)) throw IOError("is a directory, not a patterns file", Location{src.file});
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("cannot open patterns file", Location{src.file});
  Batch batch;
  Matcher scratch(vocab_);
  std::string line;
  std::uint64_t n = 0;
  while (std::getline(in, line)) {
    ++n;
    if (!line.empty() && line.back() == '\r') line.pop_back();
    if (line.find_first_not_of(" \t") == std::string::npos) continue;
    Json p;
    try {
      p = parse_json(line, src.file);
    } catch (const FormatError& e) {
      throw FormatError(e.cause(), Location{src.file, n, e.where().column});
    }
    src.lines.push_back(n);
    check(p, src.lines.size() - 1, src, batch, scratch);
  }
  if (in.bad()) throw IOError("error while reading", Location{src.file, n});
  commit(std::move(batch), src);
}

// ---- inspecting and removing ---------------------------------------------------------------------

Json EntityRuler::patterns() const {
  Json out = Json::array();
  for (const Entry& e : entries_) {
    const Key& key = keys_.at(e.match_id);
    Json p = Json::object();
    p["label"] = key.label;
    p["pattern"] = e.phrase ? Json(e.text) : e.tokens;
    if (!key.id.empty()) p["id"] = key.id;
    out.push_back(std::move(p));
  }
  return out;
}

std::vector<std::string> EntityRuler::labels() const {
  std::set<std::string> s;
  for (const auto& [_, key] : keys_) s.insert(key.label);
  return {s.begin(), s.end()};
}

std::vector<std::string> EntityRuler::ent_ids() const {
  std::set<std::string> s;
  for (const auto& [_, key] : keys_)
    if (!key.id.empty()) s.insert(key.id);
  return {s.begin(), s.end()};
}

bool EntityRuler::contains(std::string_view label) const {
  return std::any_of(keys_.begin(), keys_.end(), [&](const auto& kv) { return kv.second.label == label; });
}

const EntityRuler::Key* EntityRuler::key(hash_t match_id) const noexcept {
  const auto it = keys_.find(match_id);
  return it == keys_.end() ? nullptr : &it->second;
}

void EntityRuler::clear() {
  entries_.clear();
  keys_.clear();
  rebuild();
}

void EntityRuler::remove(std::string_view id) {
  std::vector<hash_t> gone;
  for (const auto& [match_id, key] : keys_)
    if (!key.id.empty() && key.id == id) gone.push_back(match_id);
  if (gone.empty())
    throw ValueError("entity_ruler: no pattern has the id \"" + std::string(id) + "\"" +
                     (ent_ids().empty() ? std::string(" (no pattern has an id)") : ""));
  for (const hash_t match_id : gone) {
    const std::string& name = keys_.at(match_id).name;
    if (matcher_.contains(match_id)) matcher_.remove(match_id);
    if (phrase_matcher_.contains(match_id)) phrase_matcher_.remove(name);
    keys_.erase(match_id);
  }
  std::erase_if(entries_, [&](const Entry& e) { return !keys_.count(e.match_id); });
}

void EntityRuler::rebuild() {
  matcher_ = Matcher(vocab_);
  phrase_matcher_ = make_phrase_matcher(vocab_, config_);
  for (const Entry& e : entries_) add_to_matchers(e);
}

// ---- saving -------------------------------------------------------------------------------------

void EntityRuler::to_disk(const std::filesystem::path& dir) const {
  std::filesystem::create_directories(dir);
  std::string text;
  for (const Json& p : patterns()) text += p.dump(-1, ' ', false, Json::error_handler_t::strict) + '\n';
  write_file((dir / "patterns.jsonl").string(), text);
}

void EntityRuler::from_disk(const std::filesystem::path& dir) {
  clear();
  try {
    add_patterns_jsonl(dir / "patterns.jsonl");
  } catch (const ModelError&) {
    throw;
  } catch (const Error& e) {
    throw ModelError(e.cause(), e.where());
  }
}

// ---- matching -----------------------------------------------------------------------------------

std::vector<RulerMatch> EntityRuler::match(const Doc& doc, const ExternalColumns* external) const {
  struct Found {
    RulerMatch m;
    bool phrase;
    std::uint64_t order;
  };
  std::vector<Found> found;
  if (!doc.empty() && !matcher_.empty()) {
    if (matcher_.has_external() && !external)
      throw ValueError("entity_ruler: token patterns use custom extension attributes (\"_\"), whose values come from "
                       "Python: run the pipeline from Python (or the weft command with --code FILE)");
    MatchOptions options;
    options.external = external;
    for (const Match& m : matcher_.find(doc, options)) found.push_back({{m.match_id, m.start, m.end}, false, 0});
  }
  if (!doc.empty() && !phrase_matcher_.empty()) {
    std::vector<PhraseMatch> pm;
    phrase_matcher_.find(doc, 0, doc.size(), pm);
    for (const PhraseMatch& m : pm) found.push_back({{m.match_id, m.start, m.end}, true, 0});
  }
  std::erase_if(found, [](const Found& f) { return f.m.start == f.m.end; });
  for (Found& f : found) f.order = keys_.at(f.m.match_id).order;
  // Distinct (key, start, end), as spaCy's set of matches; a token pattern's copy is the one kept.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    return std::tie(a.m.start, a.m.end, a.m.match_id, a.phrase) < std::tie(b.m.start, b.m.end, b.m.match_id, b.phrase);
  });
  found.erase(std::unique(found.begin(), found.end(), [](const Found& a, const Found& b) { return a.m == b.m; }),
              found.end());
  // spaCy's order: longest first, then earliest; equal ones (spaCy: a set's order) token patterns
  // first, then by key.
  std::sort(found.begin(), found.end(), [](const Found& a, const Found& b) {
    const std::size_t la = a.m.end - a.m.start, lb = b.m.end - b.m.start;
    if (la != lb) return la > lb;
    return std::tie(a.m.start, a.phrase, a.order) < std::tie(b.m.start, b.phrase, b.order);
  });
  std::vector<RulerMatch> out;
  out.reserve(found.size());
  for (const Found& f : found) out.push_back(f.m);
  return out;
}

std::vector<RulerMatch> EntityRuler::select(const Doc& doc, bool ignore_existing, const ExternalColumns* external) const {
  std::vector<RulerMatch> out;
  if (entries_.empty() || doc.empty()) return out;
  const std::vector<RulerMatch> matches = match(doc, external);
  if (matches.empty()) return out;
  // 1: taken by an earlier (longer) match; 2: inside an entity already on the Doc.
  std::vector<std::uint8_t> used(doc.size(), 0);
  if (!config_.overwrite_ents && !ignore_existing)
    for (const Span& e : doc.ents()) std::fill(used.begin() + e.start(), used.begin() + e.end(), 2);
  for (const RulerMatch& m : matches) {
    // spaCy checks the ends only; a later match is never longer than a taken one, so an overlapping
    // one always has an end inside it, and checking every token is the same test.
    if (std::any_of(used.begin() + m.start, used.begin() + m.end, [](std::uint8_t u) { return u != 0; })) continue;
    std::fill(used.begin() + m.start, used.begin() + m.end, 1);
    out.push_back(m);
  }
  std::sort(out.begin(), out.end(), [](const RulerMatch& a, const RulerMatch& b) { return a.start < b.start; });
  return out;
}

const ExternalColumns* EntityRuler::external_columns(Doc& doc, ExternalColumns& columns) const {
  if (!matcher_.has_external() || doc.empty()) return nullptr;
  matcher_.external_columns(doc, 0, doc.size(), columns);
  evaluate_extensions(doc, 0, doc.size(), matcher_.external_predicates(), columns);
  return &columns;
}

void EntityRuler::operator()(Doc& doc) const {
  // Custom extension attributes ("_") in token patterns: their columns come from the process-wide
  // evaluator (Python's), computed before matching.
  ExternalColumns columns;
  const std::vector<RulerMatch> chosen = select(doc, false, external_columns(doc, columns));
  if (chosen.empty()) return;
  std::vector<std::uint8_t> covered(doc.size(), 0);
  for (const RulerMatch& m : chosen) std::fill(covered.begin() + m.start, covered.begin() + m.end, 1);
  std::vector<Span> ents;
  for (const Span& e : doc.ents()) {
    if (std::none_of(covered.begin() + e.start(), covered.begin() + e.end(), [](std::uint8_t c) { return c != 0; })) {
      ents.push_back(e);
      continue;
    }
    // overwrite_ents: an entity a match overlaps goes, all of it (spaCy drops it from doc.ents, and
    // its tokens outside the match become "O").
    for (std::size_t i = e.start(); i < e.end(); ++i) {
      doc.data(i).ent_iob = EntIob::O;
      doc.data(i).ent_type = 0;
    }
  }
  for (const RulerMatch& m : chosen) {
    const Key& key = keys_.at(m.match_id);
    // The pattern's id becomes the entity's id (ent_id on its tokens), as spaCy's Span(..., span_id=).
    ents.emplace_back(&doc, m.start, m.end, doc.intern(key.label), 0, key.id.empty() ? 0 : doc.intern(key.id));
  }
  doc.set_ents(ents, "unmodified");
}

// ---- registry -----------------------------------------------------------------------------------

void register_entity_ruler(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(std::make_unique<EntityRuler>(name, config, std::move(vocab)));
  };
  const char* what = "entities from phrase and token patterns (spaCy's EntityRuler)";
  r.add("components", "entity_ruler", make, what, "builtin");
  r.add("components", "weft.EntityRuler.v1", make, what, "builtin");
}

}  // namespace weft
