// Matcher in Python, as spaCy's spacy.matcher.Matcher: Matcher(vocab), add(key, patterns, *, on_match,
// greedy), remove, has_key / in, len, get, and matcher(doc_or_span, *, as_spans, allow_missing,
// with_alignments). Patterns are lists of dicts, converted strictly to JSON (a value JSON cannot hold
// is an error, not its str()); integer attribute ids as keys (weft.attrs.ORTH) become their names, as
// spaCy's validation converts them. Matching runs without the GIL; the on_match callbacks are Python
// callables kept here and called as spaCy calls them: on_match(matcher, doc, i, matches), once per
// final match, with the list the call returns.
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

struct PyMatcher {
  explicit PyMatcher(std::shared_ptr<Vocab> vocab) : matcher(std::move(vocab)) {}
  Matcher matcher;
  std::unordered_map<hash_t, pyb::object> callbacks;  // the Python on_match of each key (None: none)
  // Matching runs without the GIL, so another Python thread could add or remove rules meanwhile:
  // find() holds this shared, add() and remove() exclusively.
  mutable std::shared_mutex mutex;
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

namespace {

// The key as spaCy normalizes it: a str (hashed) or an int (taken as the hash).
hash_t key_id(const pyb::handle& key) {
  if (pyb::isinstance<pyb::str>(key)) return hash_string(utf8_from_py(key));
  if (pyb::isinstance<pyb::int_>(key) && !pyb::isinstance<pyb::bool_>(key)) {
    try {
      return key.cast<hash_t>();
    } catch (const pyb::cast_error&) {
    }
  }
  throw weft::ValueError("Matcher: a key must be a str or a non-negative int, got " + py_type(key) + " " +
                         pyb::repr(key).cast<std::string>());
}

bool is_key(const pyb::handle& key) {
  return pyb::isinstance<pyb::str>(key) || (pyb::isinstance<pyb::int_>(key) && !pyb::isinstance<pyb::bool_>(key));
}

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
  std::unique_lock lock(self.mutex);
  if (pyb::isinstance<pyb::str>(key)) {
    self.matcher.add(label, json, {}, filter);
  } else {
    self.matcher.add(id, json, {}, filter);
  }
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
  {
    pyb::gil_scoped_release release;
    std::shared_lock lock(self.mutex);
    matches = self.matcher.find(*doc, start, end, options);
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

void register_matcher(pyb::module_& m) {
  pyb::class_<PyMatcher>(m, "Matcher")
      .def(pyb::init([](std::shared_ptr<Vocab> vocab, bool /*validate*/) {
             // spaCy's validate=False skips its schema; weft always checks patterns when they are added.
             return std::make_unique<PyMatcher>(std::move(vocab));
           }),
           pyb::arg("vocab"), pyb::arg("validate") = true)
      .def_property_readonly("vocab", [](const PyMatcher& self) { return self.matcher.vocab(); })
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
             self.callbacks.erase(id);
           })
      .def("has_key", [](const PyMatcher& self, const pyb::object& key) { return is_key(key) && self.matcher.contains(key_id(key)); })
      .def("__contains__", [](const PyMatcher& self, const pyb::object& key) { return is_key(key) && self.matcher.contains(key_id(key)); })
      .def("__len__", [](const PyMatcher& self) { return self.matcher.size(); })
      .def(
          "get",
          [](const PyMatcher& self, const pyb::object& key, const pyb::object& default_) -> pyb::object {
            if (!is_key(key)) return default_;
            const hash_t id = key_id(key);
            const Matcher::Rule* rule = self.matcher.get(id);
            if (!rule) return default_;
            const auto it = self.callbacks.find(id);
            return pyb::make_tuple(it == self.callbacks.end() ? pyb::none() : it->second, py_from_json(rule->patterns));
          },
          pyb::arg("key"), pyb::arg("default") = pyb::none())
      .def("__call__", &call, pyb::arg("doclike"), pyb::kw_only(), pyb::arg("as_spans") = false,
           pyb::arg("allow_missing") = false, pyb::arg("with_alignments") = false);
}

}  // namespace weft::py
