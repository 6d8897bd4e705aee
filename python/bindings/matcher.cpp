// Matcher in Python, as spaCy's spacy.matcher.Matcher: Matcher(vocab, validate, *, fuzzy_compare),
// add(key, patterns, *, on_match, greedy), remove, has_key / in, len, get, and matcher(doc_or_span, *,
// as_spans, allow_missing, with_alignments). Patterns are lists of dicts, converted strictly to JSON (a
// value JSON cannot hold is an error, not its str()); integer attribute ids as keys (weft.attrs.ORTH)
// become their names, as spaCy's validation converts them. Matching runs without the GIL; the on_match
// callbacks are Python callables kept here and called as spaCy calls them: on_match(matcher, doc, i,
// matches), once per final match, with the list the call returns.
//
// Python is never called from the native matching loop. Before it, with the GIL held, this binding
// computes the columns of the matcher's external predicates (matcher.hpp): custom extension attributes
// ("_") through weft/matcher.py's _extension_columns (once per token and distinct predicate), and, for
// a user fuzzy_compare, FUZZY tests with the Python callable once per distinct (token string, pattern
// string). The built-in levenshtein_compare (the default) runs natively. The same module installs the
// process-wide evaluator, so the EntityRuler's "_" token patterns work inside pipelines.
#include <pybind11/stl.h>

#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "bindings.hpp"
#include "weft/components/matcher/matcher.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"

namespace weft::py {

namespace {

// The built-in compare, weft._weft.levenshtein_compare (owned by the module).
PyObject* g_builtin_compare = nullptr;

bool is_builtin_compare(const pyb::object& f) { return f.is_none() || f.ptr() == g_builtin_compare; }

}  // namespace

pyb::object builtin_compare() { return pyb::reinterpret_borrow<pyb::object>(g_builtin_compare); }

namespace {

struct PyMatcher {
  PyMatcher(std::shared_ptr<Vocab> vocab, pyb::object compare)
      : matcher(is_builtin_compare(compare) ? Matcher(std::move(vocab)) : Matcher(std::move(vocab), FuzzyCompare())),
        fuzzy_compare(is_builtin_compare(compare) ? pyb::reinterpret_borrow<pyb::object>(g_builtin_compare)
                                                  : std::move(compare)) {}
  Matcher matcher;
  pyb::object fuzzy_compare;  // the built-in one, or the user's callable (FUZZY predicates external)
  std::unordered_map<hash_t, pyb::object> callbacks;  // the Python on_match of each key (None: none)
  // Matching runs without the GIL, so another Python thread could add or remove rules meanwhile:
  // find() holds this shared, add() and remove() exclusively. `generation` counts changes, so that
  // external columns computed (with the GIL, without the lock) are known to fit the patterns.
  mutable std::shared_mutex mutex;
  std::uint64_t generation = 0;
};

std::string py_type(const pyb::handle& h) { return pyb::str(pyb::type::handle_of(h).attr("__name__")).cast<std::string>(); }

}  // namespace

// A pattern value as JSON: bool, int, float, str, list/tuple, dict and None only. Errors say what is wrong;
// the caller adds where (key, pattern, token). Shared with the DependencyMatcher (bindings.hpp).
Json pattern_json(const pyb::handle& h) {
  if (h.is_none()) return nullptr;
  if (pyb::isinstance<pyb::bool_>(h)) return h.cast<bool>();
  if (pyb::isinstance<pyb::int_>(h)) {
    try {
      return h.cast<std::int64_t>();
    } catch (const pyb::cast_error&) {
      throw weft::ValueError("the integer " + pyb::str(h).cast<std::string>() + " is out of range");
    }
  }
  if (pyb::isinstance<pyb::float_>(h)) return h.cast<double>();
  if (pyb::isinstance<pyb::str>(h)) return utf8_from_py(h);
  if (pyb::isinstance<pyb::list>(h) || pyb::isinstance<pyb::tuple>(h)) {
    Json out = Json::array();
    for (const pyb::handle& item : h) out.push_back(pattern_json(item));
    return out;
  }
  if (pyb::isinstance<pyb::dict>(h)) {
    Json out = Json::object();
    for (const auto& [k, v] : h.cast<pyb::dict>()) {
      std::string key;
      if (pyb::isinstance<pyb::str>(k)) {
        key = utf8_from_py(k);
      } else if (pyb::isinstance<pyb::int_>(k) && !pyb::isinstance<pyb::bool_>(k)) {
        key = std::string(attr_name(attr_from_py(k)));  // ValueError naming an unknown id
      } else {
        throw weft::ValueError("a key must be a string or an attribute id, got " + py_type(k) + " " +
                               pyb::repr(k).cast<std::string>());
      }
      out[key] = pattern_json(v);
    }
    return out;
  }
  throw weft::ValueError("a pattern value cannot be " + py_type(h) + " " + pyb::repr(h).cast<std::string>() +
                         " (use str, int, float, bool, list or dict)");
}

// The columns of external predicates for doc[start, end) (matcher.hpp), with the GIL held:
// EXTENSION ones through weft.matcher._extension_columns, FUZZY ones with `compare`.
void compute_external(const pyb::object& doc_obj, const Doc& doc, std::size_t start, std::size_t end,
                      const std::vector<ExternalPredicate>& predicates, const pyb::object& compare,
                      ExternalColumns& columns) {
  columns.assign(predicates.size(), {});
  bool fuzzy = false;
  pyb::list specs;
  std::vector<std::size_t> spec_ids;
  for (std::size_t k = 0; k < predicates.size(); ++k) {
    const ExternalPredicate& p = predicates[k];
    if (p.kind == ExternalPredicate::Kind::FUZZY) {
      fuzzy = true;
      continue;
    }
    specs.append(pyb::make_tuple(p.name, p.op, py_from_json(p.value)));
    spec_ids.push_back(k);
  }
  if (fuzzy) {
    fuzzy_columns(doc, start, end, predicates,
                  [&](std::string_view input, std::string_view pattern, int n) {
                    const pyb::object r = compare(pyb::str(input.data(), input.size()),
                                                  pyb::str(pattern.data(), pattern.size()), n);
                    return PyObject_IsTrue(r.ptr()) == 1;
                  },
                  columns);
  }
  if (spec_ids.empty()) return;
  const pyb::object fn = pyb::module_::import("weft.matcher").attr("_extension_columns");
  const pyb::list out = fn(doc_obj, start, end, specs, compare);
  if (pyb::len(out) != spec_ids.size()) throw weft::ValueError("Matcher: _extension_columns returned the wrong number of columns");
  for (std::size_t j = 0; j < spec_ids.size(); ++j) {
    const std::string bytes = out[j].cast<std::string>();
    if (bytes.size() != end - start) throw weft::ValueError("Matcher: an extension column has the wrong length");
    columns[spec_ids[j]].assign(bytes.begin(), bytes.end());
  }
}

namespace {

// Python's re.compile accepts every REGEX of "_" predicates (they run in Python, not RE2): checked
// when the pattern is added, as spaCy compiles them then.
void check_extension_regexes(const std::string& label, const Json& patterns) {
  for (std::size_t i = 0; i < patterns.size(); ++i) {
    const Json& pattern = patterns[i];
    if (!pattern.is_array()) continue;
    for (std::size_t t = 0; t < pattern.size(); ++t) {
      const Json& spec = pattern[t];
      if (!spec.is_object() || !spec.contains("_") || !spec["_"].is_object()) continue;
      for (const auto& [name, value] : spec["_"].items()) {
        if (!value.is_object() || !value.contains("REGEX") || !value["REGEX"].is_string()) continue;
        try {
          pyb::module_::import("re").attr("compile")(value["REGEX"].get<std::string>());
        } catch (pyb::error_already_set& e) {
          throw weft::ValueError("Matcher: key \"" + label + "\", pattern " + std::to_string(i) + ", token " +
                                 std::to_string(t) + ": extension attribute \"" + name +
                                 "\", predicate \"REGEX\": bad regular expression: " + std::string(e.what()));
        }
      }
    }
  }
}

// The key as spaCy normalizes it: a str (hashed) or an int (taken as the hash).
hash_t key_id(const pyb::handle& key) { return match_key_id(key, "Matcher"); }

bool is_key(const pyb::handle& key) { return is_match_key(key); }

void add(PyMatcher& self, const pyb::handle& key, const pyb::handle& patterns, const pyb::object& on_match,
         const pyb::object& greedy) {
  const std::string label = pyb::isinstance<pyb::str>(key) ? utf8_from_py(key) : pyb::str(key).cast<std::string>();
  const hash_t id = key_id(key);
  if (!on_match.is_none() && !PyCallable_Check(on_match.ptr()))
    throw weft::ValueError("Matcher: key \"" + label + "\": on_match must be callable or None, got " + py_type(on_match));
  std::optional<Greedy> filter;
  if (!greedy.is_none()) {
    if (!pyb::isinstance<pyb::str>(greedy))
      throw weft::ValueError("Matcher: key \"" + label + "\": greedy must be \"FIRST\", \"LONGEST\" or None, got " +
                             pyb::repr(greedy).cast<std::string>());
    filter = greedy_from_name(greedy.cast<std::string>());
  }
  // spaCy: patterns must be a list of lists (E948, E178); tuples are refused there as here.
  if (!pyb::isinstance<pyb::list>(patterns))
    throw weft::ValueError("Matcher: key \"" + label + "\": patterns must be a list of patterns, got " + py_type(patterns));
  Json json = Json::array();
  std::size_t i = 0;
  for (const pyb::handle& p : patterns) {
    if (!pyb::isinstance<pyb::list>(p))
      throw weft::ValueError("Matcher: key \"" + label + "\", pattern " + std::to_string(i) +
                             ": a pattern must be a list of token specs (dicts), got " + py_type(p) + " " +
                             pyb::repr(p).cast<std::string>());
    Json pattern = Json::array();
    std::size_t t = 0;
    for (const pyb::handle& spec : p) {
      try {
        pattern.push_back(pattern_json(spec));
      } catch (const weft::ValueError& e) {
        throw weft::ValueError("Matcher: key \"" + label + "\", pattern " + std::to_string(i) + ", token " +
                               std::to_string(t) + ": " + e.cause());
      }
      ++t;
    }
    json.push_back(std::move(pattern));
    ++i;
  }
  check_extension_regexes(label, json);
  std::unique_lock lock(self.mutex);
  if (pyb::isinstance<pyb::str>(key)) {
    self.matcher.add(label, json, {}, filter);
  } else {
    self.matcher.add(id, json, {}, filter);
  }
  ++self.generation;
  self.callbacks[id] = on_match;  // spaCy: adding a key again replaces its callback
}

// spaCy's Matcher.__call__ after matching: the result list, then the callbacks over it.
pyb::object call(const pyb::object& self_obj, const pyb::object& doclike, bool as_spans, bool allow_missing,
                 bool with_alignments) {
  PyMatcher& self = self_obj.cast<PyMatcher&>();
  std::shared_ptr<Doc> doc;
  std::size_t start = 0, end = 0;
  if (pyb::isinstance<Doc>(doclike)) {
    doc = doclike.cast<std::shared_ptr<Doc>>();
    end = doc->size();
  } else if (pyb::isinstance<PySpan>(doclike)) {
    const PySpan& span = doclike.cast<const PySpan&>();
    doc = span.doc;
    start = span.start;
    end = span.end;
  } else {
    throw weft::ValueError("Matcher: expected a Doc or Span, got " + py_type(doclike));
  }
  MatchOptions options;
  options.allow_missing = allow_missing;
  options.with_alignments = with_alignments && !as_spans;  // spaCy: as_spans ignores with_alignments
  std::vector<Match> matches;
  for (;;) {
    std::vector<ExternalPredicate> predicates;
    std::uint64_t generation = 0;
    {
      std::shared_lock lock(self.mutex);
      predicates = self.matcher.external_predicates();
      generation = self.generation;
    }
    // Python code runs here (extension getters, a fuzzy_compare), so the columns are computed without
    // the lock and used only if no rule changed meanwhile.
    ExternalColumns columns;
    if (!predicates.empty() && end > start)
      compute_external(pyb::cast(doc), *doc, start, end, predicates, self.fuzzy_compare, columns);
    options.external = predicates.empty() ? nullptr : &columns;
    bool stale = false;
    {
      pyb::gil_scoped_release release;
      std::shared_lock lock(self.mutex);
      if (self.generation != generation) {
        stale = true;
      } else {
        matches = self.matcher.find(*doc, start, end, options);
      }
    }
    if (!stale) break;
  }
  pyb::list results;
  pyb::list final_matches;
  for (const Match& m : matches) {
    if (options.with_alignments) {
      final_matches.append(pyb::make_tuple(m.match_id, m.start, m.end, pyb::cast(m.alignments)));
    } else {
      final_matches.append(pyb::make_tuple(m.match_id, m.start, m.end));
    }
    if (as_spans) {
      // The label must resolve through the Doc even when the Vocab's StringStore is frozen.
      if (const auto* rule = self.matcher.get(m.match_id); rule && !rule->key.empty()) doc->intern(rule->key);
      results.append(PySpan{doc, start + m.start, start + m.end, m.match_id});
    }
  }
  // spaCy: for i, (key, *_) in enumerate(final_matches): on_match(self, doc, i, final_matches).
  const pyb::object doc_obj = pyb::cast(doc);
  for (std::size_t i = 0; i < pyb::len(final_matches); ++i) {
    const pyb::object item = final_matches[i];
    const pyb::object key = item[pyb::int_(0)];
    if (!is_key(key)) continue;
    hash_t id = 0;
    try {
      id = key_id(key);
    } catch (const weft::ValueError&) {
      continue;
    }
    const auto it = self.callbacks.find(id);
    if (it == self.callbacks.end() || it->second.is_none()) continue;
    const pyb::object callback = it->second;  // a copy: the callback may remove its own key
    callback(self_obj, doc_obj, i, final_matches);
  }
  return as_spans ? pyb::object(results) : pyb::object(final_matches);
}

}  // namespace

bool is_match_key(const pyb::handle& key) {
  return pyb::isinstance<pyb::str>(key) || (pyb::isinstance<pyb::int_>(key) && !pyb::isinstance<pyb::bool_>(key));
}

hash_t match_key_id(const pyb::handle& key, const char* owner) {
  if (pyb::isinstance<pyb::str>(key)) return hash_string(utf8_from_py(key));
  if (pyb::isinstance<pyb::int_>(key) && !pyb::isinstance<pyb::bool_>(key)) {
    try {
      return key.cast<hash_t>();
    } catch (const pyb::cast_error&) {
    }
  }
  throw weft::ValueError(std::string(owner) + ": a key must be a str or a non-negative int, got " + py_type(key) + " " +
                         pyb::repr(key).cast<std::string>());
}

void register_matcher(pyb::module_& m) {
  m.def(
      "levenshtein_compare",
      [](const std::string& input_text, const std::string& pattern_text, int fuzzy) {
        return weft::levenshtein_compare(input_text, pattern_text, fuzzy);
      },
      pyb::arg("input_text"), pyb::arg("pattern_text"), pyb::arg("fuzzy") = -1,
      "spaCy's levenshtein_compare: whether input_text is within the allowed edits of pattern_text (fuzzy >= 0: "
      "that many; -1: max(2, round(0.3 * len(pattern_text))))");
  g_builtin_compare = m.attr("levenshtein_compare").ptr();  // the module keeps it alive
  m.def(
      "levenshtein",
      [](const std::string& a, const std::string& b, const std::optional<std::int64_t>& k) -> std::int64_t {
        // spaCy's levenshtein(a, b, k=None): the distance, or k + 1 once it exceeds k >= 0.
        const std::size_t cap = k && *k >= 0 ? static_cast<std::size_t>(*k) : static_cast<std::size_t>(-1) / 2;
        return static_cast<std::int64_t>(weft::levenshtein_distance(a, b, cap));
      },
      pyb::arg("a"), pyb::arg("b"), pyb::arg("k") = pyb::none(), "The Levenshtein distance in code points");

  // The EntityRuler (and Matcher::operator() in C++) evaluate "_" in pipelines through this: the Doc
  // is handed to Python and back, as Python components get theirs.
  set_external_evaluator([](Doc& doc, std::size_t start, std::size_t end, const std::vector<ExternalPredicate>& predicates,
                            ExternalColumns& columns) {
    pyb::gil_scoped_acquire gil;
    auto shared = std::make_shared<Doc>(std::move(doc));
    try {
      ExternalColumns mine;
      compute_external(pyb::cast(shared), *shared, start, end, predicates,
                       pyb::reinterpret_borrow<pyb::object>(g_builtin_compare), mine);
      for (std::size_t k = 0; k < predicates.size(); ++k)
        if (predicates[k].kind == ExternalPredicate::Kind::EXTENSION) columns[k] = std::move(mine[k]);
    } catch (...) {
      doc = std::move(*shared);
      throw;
    }
    doc = std::move(*shared);
  });

  auto cls = pyb::class_<PyMatcher>(m, "Matcher");
  bind_rule_lookups<PyMatcher>(cls, "Matcher");
  cls
      .def(pyb::init([](std::shared_ptr<Vocab> vocab, bool /*validate*/, pyb::object fuzzy_compare) {
             // spaCy's validate=False skips its schema; weft always checks patterns when they are added.
             if (!fuzzy_compare.is_none() && !PyCallable_Check(fuzzy_compare.ptr()))
               throw weft::ValueError("Matcher: fuzzy_compare must be callable (input_text, pattern_text, fuzzy) -> bool");
             return std::make_unique<PyMatcher>(std::move(vocab), std::move(fuzzy_compare));
           }),
           pyb::arg("vocab"), pyb::arg("validate") = true, pyb::kw_only(), pyb::arg("fuzzy_compare") = pyb::none())
      .def_property_readonly("vocab", [](const PyMatcher& self) { return self.matcher.vocab(); })
      .def_property_readonly("_fuzzy_compare", [](const PyMatcher& self) { return self.fuzzy_compare; })
      .def(
          "add",
          [](PyMatcher& self, const pyb::object& key, const pyb::object& patterns, const pyb::object& on_match,
             const pyb::object& greedy) { add(self, key, patterns, on_match, greedy); },
          pyb::arg("key"), pyb::arg("patterns"), pyb::kw_only(), pyb::arg("on_match") = pyb::none(),
          pyb::arg("greedy") = pyb::none())
      .def("remove",
           [](PyMatcher& self, const pyb::object& key) {
             const hash_t id = key_id(key);
             if (!self.matcher.contains(id))
               throw weft::ValueError("Matcher: cannot remove unknown key " + pyb::repr(key).cast<std::string>());
             std::unique_lock lock(self.mutex);
             self.matcher.remove(id);
             ++self.generation;
             self.callbacks.erase(id);
           })
      .def("__call__", &call, pyb::arg("doclike"), pyb::kw_only(), pyb::arg("as_spans") = false,
           pyb::arg("allow_missing") = false, pyb::arg("with_alignments") = false);
}

}  // namespace weft::py
