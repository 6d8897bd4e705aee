// Compiling Matcher patterns from JSON: spaCy's _preprocess_pattern, _get_operators,
// _get_attr_values and _get_extra_predicates (matcher.pyx), with the value checks of its pattern
// schema (spacy/schemas.py, TokenPattern / TokenPatternString / TokenPatternNumber) done here, so a
// bad pattern fails when it is added and names the key, pattern, token and offending key or value.
#include "pattern.hpp"

#include <algorithm>
#include <cctype>
#include <limits>
#include <utility>

#include "doc/feats.hpp"
#include "weft/doc/upos.hpp"
#include "weft/error.hpp"
#include "weft/strings/attrs.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::matcher_detail {

namespace {

// spaCy's {n,m} has no upper bound; each repetition is one elem, so absurd counts are refused.
constexpr std::size_t kMaxRepeat = 10000;
// A value no token has (POS names that are not UPOS tags: spaCy hashes them, so they never match).
constexpr std::uint64_t kNever = std::numeric_limits<std::uint64_t>::max();

std::string upper(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
  return out;
}

// A JSON value for an error message, cut to a readable length.
std::string show(const Json& j) {
  std::string s = j.dump(-1, ' ', false, Json::error_handler_t::replace);
  if (s.size() > 80) s = s.substr(0, 77) + "...";
  return s;
}

// The full JSON text of a value, identifying a predicate.
std::string key_of(const Json& j) { return j.dump(-1, ' ', false, Json::error_handler_t::replace); }

std::string type_name(const Json& j) {
  if (j.is_boolean()) return "a boolean";
  if (j.is_number_integer() || j.is_number_unsigned()) return "an integer";
  if (j.is_number_float()) return "a float";
  if (j.is_string()) return "a string";
  if (j.is_array()) return "a list";
  if (j.is_object()) return "a dict";
  return "null";
}

bool is_int(const Json& j) { return j.is_number_integer() || j.is_number_unsigned(); }

// The Attr of a string field (the FUZZY fields), for ExternalPredicate::attr.
constexpr std::pair<Field, Attr> kStringFields[] = {
    {Field::ORTH, Attr::ORTH},   {Field::LOWER, Attr::LOWER},   {Field::NORM, Attr::NORM},
    {Field::SHAPE, Attr::SHAPE}, {Field::PREFIX, Attr::PREFIX}, {Field::SUFFIX, Attr::SUFFIX},
    {Field::LEMMA, Attr::LEMMA}, {Field::TAG, Attr::TAG},       {Field::DEP, Attr::DEP},
    {Field::MORPH, Attr::MORPH}, {Field::ENT_TYPE, Attr::ENT_TYPE}, {Field::POS, Attr::POS}};

Attr attr_of_field(Field f) {
  for (const auto& [field, attr] : kStringFields)
    if (field == f) return attr;
  return Attr::ORTH;
}

// Where an error is: the key, pattern index and token index (npos when not inside a token spec).
struct Where {
  std::string_view label;
  std::size_t pattern = std::string::npos;
  std::size_t token = std::string::npos;

  [[noreturn]] void fail(const std::string& why) const {
    std::string msg = "Matcher: key \"" + std::string(label) + "\"";
    if (pattern != std::string::npos) msg += ", pattern " + std::to_string(pattern);
    if (token != std::string::npos) msg += ", token " + std::to_string(token);
    throw ValueError(msg + ": " + why);
  }
};

// How an attribute's values are written in patterns (spaCy's schema types).
enum class Kind { STRING, POS, MORPH, IOB, LENGTH, BOOL };

struct AttrInfo {
  Field field;
  Kind kind;
  std::uint8_t needs;  // E155 annotation when given a plain value
};

// The attribute a (upper-cased) pattern key names, as spaCy's IDS with its TEXT and IS_SENT_START
// aliases; nullopt for names that are no token attribute of the pattern language.
std::optional<AttrInfo> lookup_attr(const std::string& key) {
  const std::string name = key == "IS_SENT_START" ? "SENT_START" : key;
  const auto a = attr_from_name(name);  // "TEXT" -> ORTH
  if (!a) return std::nullopt;
  if (auto f = flag_of(*a)) return AttrInfo{flag_field(*f), Kind::BOOL, 0};
  switch (*a) {
    case Attr::ORTH: return AttrInfo{Field::ORTH, Kind::STRING, 0};
    case Attr::LOWER: return AttrInfo{Field::LOWER, Kind::STRING, 0};
    case Attr::NORM: return AttrInfo{Field::NORM, Kind::STRING, 0};
    case Attr::SHAPE: return AttrInfo{Field::SHAPE, Kind::STRING, 0};
    case Attr::PREFIX: return AttrInfo{Field::PREFIX, Kind::STRING, 0};
    case Attr::SUFFIX: return AttrInfo{Field::SUFFIX, Kind::STRING, 0};
    case Attr::LEMMA: return AttrInfo{Field::LEMMA, Kind::STRING, NEEDS_LEMMA};
    case Attr::TAG: return AttrInfo{Field::TAG, Kind::STRING, NEEDS_TAG};
    case Attr::DEP: return AttrInfo{Field::DEP, Kind::STRING, NEEDS_DEP};
    case Attr::ENT_TYPE: return AttrInfo{Field::ENT_TYPE, Kind::STRING, 0};
    case Attr::POS: return AttrInfo{Field::POS, Kind::POS, NEEDS_POS};
    case Attr::MORPH: return AttrInfo{Field::MORPH, Kind::MORPH, NEEDS_MORPH};
    case Attr::ENT_IOB: return AttrInfo{Field::ENT_IOB, Kind::IOB, 0};
    case Attr::LENGTH: return AttrInfo{Field::LENGTH, Kind::LENGTH, 0};
    case Attr::SENT_START: return AttrInfo{Field::SENT_START, Kind::BOOL, 0};
    case Attr::SPACY: return AttrInfo{Field::SPACY, Kind::BOOL, 0};
    default: return std::nullopt;  // ID, HEAD, IDX, NULL_ATTR
  }
}

// The operators of spaCy's _get_operators; "{n,m}" unrolls into n ONEs and m - n ZERO_ONEs ("{n,}":
// n ONEs and a ZERO_PLUS), which is why "+" is ONE, ZERO_PLUS.
std::vector<Quant> parse_op(const Where& w, const Json& v) {
  if (!v.is_string()) w.fail("OP must be a string, got " + type_name(v) + " " + show(v));
  const std::string s = v.get<std::string>();
  if (s == "!") return {Quant::ZERO};
  if (s == "?") return {Quant::ZERO_ONE};
  if (s == "*") return {Quant::ZERO_PLUS};
  if (s == "+") return {Quant::ONE, Quant::ZERO_PLUS};
  const auto bad = [&]() {
    w.fail("unknown operator \"OP\": " + show(v) +
           " (expected !, ?, *, +, {n}, {n,m}, {n,}, {,m} with integers n <= m)");
  };
  if (s.size() < 3 || s.front() != '{' || s.back() != '}') bad();
  const std::string inner = s.substr(1, s.size() - 2);
  const auto comma = inner.find(',');
  std::string n_str = inner.substr(0, comma), m_str = comma == std::string::npos ? n_str : inner.substr(comma + 1);
  const auto digits = [](const std::string& d) {
    return std::all_of(d.begin(), d.end(), [](char c) { return c >= '0' && c <= '9'; });
  };
  // The schema's ^(\{\d+\}|\{\d+,\d*\}|\{\d*,\d+\})$: digits only, not both bounds empty.
  if (!digits(n_str) || !digits(m_str) || (n_str.empty() && m_str.empty())) bad();
  const auto number = [&](const std::string& d) -> std::size_t {
    std::size_t value = 0;
    for (char c : d) {
      value = value * 10 + static_cast<std::size_t>(c - '0');
      if (value > kMaxRepeat)
        w.fail("operator \"OP\": " + show(v) + " repeats more than " + std::to_string(kMaxRepeat) + " times");
    }
    return value;
  };
  const std::size_t n = n_str.empty() ? 0 : number(n_str);
  const bool unbounded = m_str.empty();
  const std::size_t m = unbounded ? n : number(m_str);
  if (n > m) bad();
  std::vector<Quant> out(n, Quant::ONE);
  if (unbounded) {
    out.push_back(Quant::ZERO_PLUS);
  } else {
    out.insert(out.end(), m - n, Quant::ZERO_ONE);
  }
  return out;
}

// Compiles the patterns of one add() call into new arrays; nothing touches Compiled until all are
// done, so a bad pattern leaves the matcher as it was.
class Builder {
 public:
  Builder(const Compiled& base, hash_t match_id, std::string_view label)
      : base_(base), match_id_(match_id), label_(label) {}

  void pattern(std::size_t index, const Json& pattern) {
    Where w{label_, index};
    // spaCy tests the length first (E012), then the type (E178).
    if (pattern.is_array() && pattern.empty()) w.fail("the pattern is empty (a pattern needs at least one token spec)");
    if (!pattern.is_array()) w.fail("a pattern must be a list of token specs (dicts), got " + type_name(pattern) + " " + show(pattern));
    Pattern p;
    p.match_id = match_id_;
    p.first = static_cast<std::uint32_t>(base_.elems.size() + elems_.size());
    const auto pattern_id = static_cast<std::uint32_t>(base_.patterns.size() + patterns_.size());
    for (std::size_t t = 0; t < pattern.size(); ++t) {
      w.token = t;
      token_spec(w, pattern[t], pattern_id, p.needs);
    }
    p.n_elems = static_cast<std::uint32_t>(base_.elems.size() + elems_.size()) - p.first;
    Elem final_elem;
    final_elem.quant = Quant::FINAL;
    final_elem.pattern = pattern_id;
    elems_.push_back(final_elem);
    patterns_.push_back(p);
  }

  void commit(Compiled& c) {
    for (auto& e : elems_) c.elems.push_back(e);
    for (auto& ch : checks_) c.checks.push_back(ch);
    for (auto& pr : predicates_) {
      c.predicate_ids.emplace(pr.key, static_cast<std::uint32_t>(c.predicates.size()));
      c.predicates.push_back(std::move(pr));
    }
    for (auto& p : patterns_) {
      c.needs |= p.needs;
      c.patterns.push_back(p);
    }
  }

  const std::vector<Pattern>& patterns() const { return patterns_; }

 private:
  void token_spec(const Where& w, const Json& spec, std::uint32_t pattern_id, std::uint8_t& needs) {
    if (!spec.is_object()) w.fail("a token spec must be a dict, got " + type_name(spec) + " " + show(spec));
    std::vector<Quant> quants{Quant::ONE};
    const auto begin = static_cast<std::uint32_t>(base_.checks.size() + checks_.size());
    for (auto it = spec.begin(); it != spec.end(); ++it) {
      const std::string key = upper(it.key());
      const Json& v = it.value();
      if (key == "OP") {
        quants = parse_op(w, v);
        continue;
      }
      if (it.key() == "_") {
        extension(w, it.value());
        continue;
      }
      const auto info = lookup_attr(key);
      if (!info) w.fail("unknown attribute \"" + it.key() + "\"");
      if (v.is_null()) w.fail("attribute \"" + it.key() + "\": null is not allowed");
      if (v.is_object()) {
        predicates(w, it.key(), *info, v, false, std::nullopt, false);
      } else {
        needs |= info->needs;
        plain(w, it.key(), *info, v);
      }
    }
    const auto end = static_cast<std::uint32_t>(base_.checks.size() + checks_.size());
    // The elems of one spec ("+" is ONE then ZERO_PLUS) share its checks.
    for (Quant q : quants) {
      Elem e;
      e.quant = q;
      e.pattern = pattern_id;
      e.checks_begin = begin;
      e.checks_end = end;
      e.token_idx = static_cast<std::int32_t>(w.token);
      elems_.push_back(e);
    }
  }

  // A string of the pattern, checked to be UTF-8 (RE2 and the fuzzy comparison read code points).
  static std::string text(const Where& w, const std::string& attr, const Json& v) {
    std::string s = v.get<std::string>();
    if (!utf8::valid(s)) w.fail("attribute \"" + attr + "\": the value is not valid UTF-8");
    return s;
  }

  // The token values one written value stands for (two for a FEATS string whose UD order and
  // spaCy's byte order differ). `what` names the value in errors.
  std::vector<std::uint64_t> values_of(const Where& w, const std::string& attr, const AttrInfo& info, const Json& v,
                                       const std::string& what) {
    switch (info.kind) {
      case Kind::STRING:
        if (!v.is_string()) break;
        return {hash_string(text(w, attr, v))};
      case Kind::POS: {
        if (!v.is_string()) break;
        const auto p = upos_from_name(text(w, attr, v));
        // spaCy hashes a string that is no POS symbol, which no token's POS equals.
        return {p ? static_cast<std::uint64_t>(*p) : kNever};
      }
      case Kind::MORPH: {
        if (!v.is_string()) break;
        const std::string feats = text(w, attr, v);
        std::vector<std::uint64_t> out;
        for (bool ci : {true, false}) {
          const auto canon = doc_detail::canonical_feats(feats, ci);
          if (!canon) w.fail("attribute \"" + attr + "\": " + what + " " + show(v) + " is not a FEATS string (Feat=Value|...)");
          const hash_t h = hash_string(*canon);
          if (std::find(out.begin(), out.end(), h) == out.end()) out.push_back(h);
        }
        return out;
      }
      case Kind::IOB:
        // spaCy's IobValue: "", "I", "O", "B" or 0..3.
        if (v.is_string()) {
          static const char* kIob[] = {"", "I", "O", "B"};
          for (std::uint64_t k = 0; k < 4; ++k)
            if (v.get<std::string>() == kIob[k]) return {k};
        } else if (is_int(v) && v.get<std::int64_t>() >= 0 && v.get<std::int64_t>() <= 3) {
          return {v.get<std::uint64_t>()};
        }
        w.fail("attribute \"" + attr + "\": " + what + " " + show(v) + " is not an IOB value (\"\", \"I\", \"O\", \"B\" or 0-3)");
      case Kind::LENGTH:
        if (!is_int(v)) break;
        return {static_cast<std::uint64_t>(v.get<std::int64_t>())};  // a negative length never matches
      case Kind::BOOL:
        if (!v.is_boolean()) break;
        return {v.get<bool>() ? 1u : 0u};
    }
    static const char* kExpect[] = {"a string", "a string (a UPOS tag)", "a string (FEATS)", "an IOB value",
                                    "an integer", "a boolean"};
    w.fail("attribute \"" + attr + "\": " + what + " must be " + kExpect[static_cast<int>(info.kind)] + ", got " +
           type_name(v) + " " + show(v));
  }

  void plain(const Where& w, const std::string& attr, const AttrInfo& info, const Json& v) {
    if (v.is_array()) w.fail("attribute \"" + attr + "\": a list is not a value (use {\"IN\": [...]}), got " + show(v));
    std::vector<std::uint64_t> values = values_of(w, attr, info, v, "the value");
    if (values.size() == 1) {
      Check c;
      c.field = info.field;
      c.value = values[0];
      checks_.push_back(c);
      return;
    }
    // A FEATS string with two canonical spellings: either hash is the value.
    Predicate p;
    p.field = info.field;
    p.op = PredOp::IN;
    std::sort(values.begin(), values.end());
    p.values = std::move(values);
    add_predicate(std::move(p), "plain:" + key_of(v));
  }

  // A dict of predicates on one attribute (spaCy's _get_extra_predicates_dict). In REGEX mode the
  // values of IN / NOT_IN are regexes, in FUZZY mode fuzzy-compared strings; a REGEX dict switches to
  // REGEX mode (and drops FUZZY), a FUZZY dict to FUZZY mode with its edit count, as spaCy recurses.
  void predicates(const Where& w, const std::string& attr, const AttrInfo& info, const Json& dict, bool regex_mode,
                  std::optional<int> fuzzy_mode, bool nested) {
    if (info.kind == Kind::BOOL || info.kind == Kind::IOB)
      w.fail("attribute \"" + attr + "\" takes a plain value, not a dict of predicates: " + show(dict));
    const bool numeric = info.kind == Kind::LENGTH;
    for (auto it = dict.begin(); it != dict.end(); ++it) {
      const std::string op = upper(it.key());
      const Json& v = it.value();
      const std::string where = "attribute \"" + attr + "\", predicate \"" + it.key() + "\"";
      if (v.is_null()) w.fail(where + ": null is not allowed");
      if (op == "REGEX") {
        if (v.is_object() && !numeric) {
          predicates(w, attr, info, v, true, std::nullopt, true);
          continue;
        }
        if (!v.is_string()) w.fail(where + ": expected a string (a regular expression), got " + type_name(v) + " " + show(v));
        Predicate p;
        p.field = info.field;
        p.op = PredOp::REGEX;
        p.regexes.push_back(regex(w, where, text(w, attr, v)));
        add_predicate(std::move(p), "REGEX:" + key_of(v));
        continue;
      }
      if (op.rfind("FUZZY", 0) == 0) {
        const std::string suffix = op.substr(5);
        if (numeric || suffix.size() > 1 || (suffix.size() == 1 && (suffix[0] < '1' || suffix[0] > '9'))) {
          w.fail("unknown predicate \"" + it.key() + "\" for attribute \"" + attr + "\"" +
                 (numeric ? " (FUZZY applies to string attributes)" : ""));
        }
        const int fuzzy = suffix.empty() ? -1 : suffix[0] - '0';
        if (v.is_object()) {
          predicates(w, attr, info, v, false, fuzzy, true);
          continue;
        }
        if (!v.is_string()) w.fail(where + ": expected a string, got " + type_name(v) + " " + show(v));
        Predicate p;
        p.field = info.field;
        p.op = PredOp::FUZZY;
        p.fuzzy = fuzzy;
        p.strings.push_back(text(w, attr, v));
        if (base_.external_fuzzy) external_fuzzy(p, "FUZZY");
        add_predicate(std::move(p), op + ":" + key_of(v));
        continue;
      }
      static const std::pair<const char*, PredOp> kSets[] = {{"IN", PredOp::IN},
                                                             {"NOT_IN", PredOp::NOT_IN},
                                                             {"IS_SUBSET", PredOp::IS_SUBSET},
                                                             {"IS_SUPERSET", PredOp::IS_SUPERSET},
                                                             {"INTERSECTS", PredOp::INTERSECTS}};
      static const std::pair<const char*, PredOp> kCompare[] = {{"==", PredOp::EQ}, {"!=", PredOp::NE},
                                                                {">=", PredOp::GE}, {"<=", PredOp::LE},
                                                                {">", PredOp::GT},  {"<", PredOp::LT}};
      bool done = false;
      for (const auto& [name, pop] : kSets) {
        if (op != name) continue;
        done = true;
        if (!v.is_array()) w.fail(where + ": expected a list, got " + type_name(v) + " " + show(v));
        const bool set_op = pop != PredOp::IN && pop != PredOp::NOT_IN;
        if (set_op && regex_mode)
          w.fail(where + ": " + name + " cannot be nested in REGEX (it compares whole values, not patterns)");
        Predicate p;
        p.field = info.field;
        p.op = pop;
        std::string mode;
        if (!set_op && regex_mode) {
          p.regex_mode = true;
          mode = "regex";
          for (const Json& e : v) {
            if (!e.is_string()) w.fail(where + ": every element must be a string (a regular expression), got " + show(e));
            p.regexes.push_back(regex(w, where, text(w, attr, e)));
          }
        } else if (!set_op && fuzzy_mode) {
          p.fuzzy_mode = true;
          p.fuzzy = *fuzzy_mode;
          mode = "fuzzy" + std::to_string(*fuzzy_mode);
          for (const Json& e : v) {
            if (!e.is_string()) w.fail(where + ": every element must be a string, got " + show(e));
            p.strings.push_back(text(w, attr, e));
          }
          if (base_.external_fuzzy) external_fuzzy(p, name);
        } else {
          for (const Json& e : v) {
            if (e.is_array() || e.is_object() || e.is_null())
              w.fail(where + ": every element must be a " + (numeric ? "number" : "string") + ", got " + show(e));
            // A MORPH element is normalized alone, as spaCy's morphology.add(v) does for each.
            for (std::uint64_t h : values_of(w, attr, info, e, "the element")) p.values.push_back(h);
          }
          std::sort(p.values.begin(), p.values.end());
          p.values.erase(std::unique(p.values.begin(), p.values.end()), p.values.end());
        }
        add_predicate(std::move(p), std::string(name) + ":" + mode + ":" + key_of(v));
        break;
      }
      if (done) continue;
      for (const auto& [name, pop] : kCompare) {
        if (op != name) continue;
        done = true;
        if (!numeric || nested)
          w.fail(where + ": comparisons apply to numeric attributes (LENGTH), not to \"" + attr + "\"");
        if (!v.is_number() || v.is_boolean())
          w.fail(where + ": expected a number, got " + type_name(v) + " " + show(v));
        Predicate p;
        p.field = info.field;
        p.op = pop;
        p.number = v.get<double>();
        add_predicate(std::move(p), std::string(name) + ":" + key_of(v));
        break;
      }
      if (!done) w.fail("unknown predicate \"" + it.key() + "\" for attribute \"" + attr + "\"");
    }
  }

  // A FUZZY test (FUZZY, or IN / NOT_IN in FUZZY mode) of a Matcher with a fuzzy compare of its own:
  // made EXTERNAL, the caller filling its column (spaCy's _FuzzyPredicate / _SetPredicate fuzzy=).
  static void external_fuzzy(Predicate& p, const std::string& op) {
    p.ext.kind = ExternalPredicate::Kind::FUZZY;
    p.ext.op = op;
    p.ext.attr = attr_of_field(p.field);
    p.ext.fuzzy = p.fuzzy;
    p.ext.strings = p.strings;
    p.op = PredOp::EXTERNAL;
  }

  // {"_": {name: value or {OP: arg, ...}, ...}}: custom extension attributes, spaCy's
  // _get_extensions (plain values) and _get_extension_extra_predicates (predicates), checked as its
  // pattern schema does. Each (name, op, arg) becomes one EXTERNAL predicate the caller evaluates.
  void extension(const Where& w, const Json& v) {
    if (!v.is_object())
      w.fail("\"_\" must be a dict of extension attribute names to values or predicates, got " + type_name(v) + " " +
             show(v));
    for (auto it = v.begin(); it != v.end(); ++it) {
      const std::string& name = it.key();
      const Json& value = it.value();
      const std::string where = "extension attribute \"" + name + "\"";
      if (name.empty()) w.fail("an extension attribute name in \"_\" is empty");
      if (value.is_null()) w.fail(where + ": null is not allowed");
      if (value.is_object()) {
        for (auto p = value.begin(); p != value.end(); ++p) extension_predicate(w, name, where, p.key(), p.value());
        continue;
      }
      if (value.is_string()) {
        text(w, "_", value);  // valid UTF-8
      } else if (value.is_number_integer() && !value.is_number_unsigned() && value.get<std::int64_t>() < 0) {
        w.fail(where + ": a plain value must be a str, a non-negative int or a bool (spaCy's attribute ids), got " +
               show(value));
      } else if (!value.is_boolean() && !is_int(value)) {
        w.fail(where + ": a plain value must be a str, an int or a bool (or a dict of predicates), got " +
               type_name(value) + " " + show(value));
      }
      ExternalPredicate e;
      e.name = name;
      e.value = value;
      add_extension(std::move(e));
    }
  }

  void extension_predicate(const Where& w, const std::string& name, const std::string& where, const std::string& op,
                           const Json& arg) {
    const std::string pw = where + ", predicate \"" + op + "\"";
    if (arg.is_null()) w.fail(pw + ": null is not allowed");
    static const char* kSets[] = {"IN", "NOT_IN", "IS_SUBSET", "IS_SUPERSET", "INTERSECTS"};
    static const char* kCompare[] = {"==", "!=", ">=", "<=", ">", "<"};
    const auto one_of = [&](const auto& names) {
      return std::any_of(std::begin(names), std::end(names), [&](const char* n) { return op == n; });
    };
    const bool fuzzy = op.rfind("FUZZY", 0) == 0 &&
                       (op.size() == 5 || (op.size() == 6 && op[5] >= '1' && op[5] <= '9'));
    if (one_of(kSets)) {
      if (!arg.is_array()) w.fail(pw + ": expected a list, got " + type_name(arg) + " " + show(arg));
      for (const Json& e : arg) {
        if (e.is_string()) {
          text(w, "_", e);
        } else if (!is_int(e)) {
          w.fail(pw + ": every element must be a string or an integer, got " + type_name(e) + " " + show(e));
        }
      }
    } else if (one_of(kCompare)) {
      if (!arg.is_number() || arg.is_boolean())
        w.fail(pw + ": expected a number, got " + type_name(arg) + " " + show(arg));
    } else if (op == "REGEX" || fuzzy) {
      if (!arg.is_string())
        w.fail(pw + ": expected a string" + std::string(op == "REGEX" ? " (a regular expression)" : "") + ", got " +
               type_name(arg) + " " + show(arg));
      text(w, "_", arg);
    } else {
      w.fail(where + ": unknown predicate \"" + op +
             "\" (expected IN, NOT_IN, IS_SUBSET, IS_SUPERSET, INTERSECTS, ==, !=, >=, <=, >, <, REGEX, FUZZY or "
             "FUZZY1..FUZZY9, upper-case)");
    }
    ExternalPredicate e;
    e.name = name;
    e.op = op;
    e.value = arg;
    add_extension(std::move(e));
  }

  void add_extension(ExternalPredicate e) {
    Predicate p;
    p.field = Field::ORTH;  // unused: the caller evaluates it
    p.op = PredOp::EXTERNAL;
    const std::string what = "EXT:" + key_of(Json(e.name)) + ":" + e.op + ":" + key_of(e.value);
    p.ext = std::move(e);
    add_predicate(std::move(p), what);
  }

  static std::unique_ptr<RE2> regex(const Where& w, const std::string& where, const std::string& pattern) {
    RE2::Options options;
    options.set_log_errors(false);
    auto re = std::make_unique<RE2>(pattern, options);
    if (!re->ok()) w.fail(where + ": bad regular expression \"" + pattern + "\": " + re->error());
    return re;
  }

  // Shares an identical predicate (spaCy's seen_predicates) and adds a check that asks it.
  void add_predicate(Predicate p, const std::string& what) {
    p.key = std::to_string(static_cast<int>(p.field)) + "|" + std::to_string(static_cast<int>(p.op)) + "|" +
            std::to_string(p.fuzzy) + "|" + what;
    std::uint32_t id;
    if (auto it = base_.predicate_ids.find(p.key); it != base_.predicate_ids.end()) {
      id = it->second;
    } else if (auto jt = new_ids_.find(p.key); jt != new_ids_.end()) {
      id = jt->second;
    } else {
      id = static_cast<std::uint32_t>(base_.predicates.size() + predicates_.size());
      new_ids_.emplace(p.key, id);
      predicates_.push_back(std::move(p));
    }
    Check c;
    c.field = id < base_.predicates.size() ? base_.predicates[id].field : predicates_[id - base_.predicates.size()].field;
    c.is_predicate = true;
    c.predicate = id;
    checks_.push_back(c);
  }

  const Compiled& base_;
  hash_t match_id_;
  std::string_view label_;
  std::vector<Elem> elems_;
  std::vector<Check> checks_;
  std::vector<Predicate> predicates_;
  std::unordered_map<std::string, std::uint32_t> new_ids_;
  std::vector<Pattern> patterns_;
};

// Priority of fields for the first-token index: the most selective first.
constexpr Field kIndexOrder[] = {Field::ORTH, Field::LOWER, Field::NORM, Field::LEMMA, Field::TAG,
                                 Field::SHAPE, Field::ENT_TYPE, Field::DEP, Field::MORPH, Field::POS,
                                 Field::SUFFIX, Field::PREFIX, Field::LENGTH};

}  // namespace

std::optional<Field> string_field(Attr a) {
  for (const auto& [field, attr] : kStringFields)
    if (attr == a) return field;
  return std::nullopt;
}

void Compiled::add(hash_t match_id, std::string_view label, const Json& patterns_json) {
  if (!patterns_json.is_array())
    Where{label}.fail("patterns must be a list of patterns, got " + type_name(patterns_json) + " " + show(patterns_json));
  Builder b(*this, match_id, label);
  for (std::size_t i = 0; i < patterns_json.size(); ++i) b.pattern(i, patterns_json[i]);
  const auto first = static_cast<std::uint32_t>(patterns.size());
  b.commit(*this);
  for (auto p = first; p < patterns.size(); ++p) index_pattern(p);
  rebuild_external();
}

void Compiled::rebuild_external() {
  external.clear();
  for (Predicate& p : predicates) {
    if (p.op != PredOp::EXTERNAL) continue;
    p.external = static_cast<std::uint32_t>(external.size());
    external.push_back(p.ext);
  }
}

void Compiled::index_pattern(std::uint32_t p) {
  const Pattern& pat = patterns[p];
  if (pat.n_elems == 0) return;  // "{0}" everywhere: spaCy's pattern of no tokens never matches
  const Elem& e = elems[pat.first];
  // Only a ONE elem rejects a token it does not match without side effects; "!", "?", "*" go on.
  if (e.quant == Quant::ONE) {
    for (Field f : kIndexOrder) {
      for (auto c = e.checks_begin; c < e.checks_end; ++c) {
        const Check& ch = checks[c];
        if (ch.field != f) continue;
        const Predicate* pr = ch.is_predicate ? &predicates[ch.predicate] : nullptr;
        if (pr && (pr->op != PredOp::IN || pr->regex_mode || pr->fuzzy_mode)) continue;
        auto it = std::find_if(index.begin(), index.end(), [f](const FieldIndex& x) { return x.field == f; });
        if (it == index.end()) {
          index.push_back(FieldIndex{f, {}});
          it = index.end() - 1;
        }
        if (pr) {
          for (std::uint64_t v : pr->values) it->patterns[v].push_back(p);
        } else {
          it->patterns[ch.value].push_back(p);
        }
        return;
      }
    }
  }
  always.push_back(p);
}

void Compiled::rebuild_index() {
  always.clear();
  index.clear();
  needs = 0;
  for (std::uint32_t p = 0; p < patterns.size(); ++p) {
    needs |= patterns[p].needs;
    index_pattern(p);
  }
}

void Compiled::remove(hash_t match_id) {
  // Copy the live patterns' elems and checks into fresh arrays, keeping only the predicates they use.
  std::vector<Elem> new_elems;
  std::vector<Check> new_checks;
  std::vector<Pattern> new_patterns;
  std::vector<std::uint32_t> predicate_map(predicates.size(), UINT32_MAX);
  std::vector<Predicate> new_predicates;
  for (const Pattern& p : patterns) {
    if (p.match_id == match_id) continue;
    Pattern q = p;
    q.first = static_cast<std::uint32_t>(new_elems.size());
    const auto pattern_id = static_cast<std::uint32_t>(new_patterns.size());
    std::uint32_t last_begin = UINT32_MAX, last_end = UINT32_MAX, mapped_begin = 0, mapped_end = 0;
    for (std::uint32_t k = 0; k <= p.n_elems; ++k) {
      Elem e = elems[p.first + k];
      e.pattern = pattern_id;
      if (e.quant != Quant::FINAL) {
        // Elems of one spec share their checks; an empty spec and the next one may start at one index.
        if (e.checks_begin != last_begin || e.checks_end != last_end) {
          last_begin = e.checks_begin;
          last_end = e.checks_end;
          mapped_begin = static_cast<std::uint32_t>(new_checks.size());
          for (auto c = e.checks_begin; c < e.checks_end; ++c) {
            Check ch = checks[c];
            if (ch.is_predicate) {
              std::uint32_t& m = predicate_map[ch.predicate];
              if (m == UINT32_MAX) {
                m = static_cast<std::uint32_t>(new_predicates.size());
                new_predicates.push_back(std::move(predicates[ch.predicate]));
              }
              ch.predicate = m;
            }
            new_checks.push_back(ch);
          }
          mapped_end = static_cast<std::uint32_t>(new_checks.size());
        }
        e.checks_begin = mapped_begin;
        e.checks_end = mapped_end;
      }
      new_elems.push_back(e);
    }
    new_patterns.push_back(q);
  }
  elems = std::move(new_elems);
  checks = std::move(new_checks);
  patterns = std::move(new_patterns);
  predicates = std::move(new_predicates);
  predicate_ids.clear();
  for (std::uint32_t i = 0; i < predicates.size(); ++i) predicate_ids.emplace(predicates[i].key, i);
  rebuild_index();
  rebuild_external();
}

}  // namespace weft::matcher_detail
