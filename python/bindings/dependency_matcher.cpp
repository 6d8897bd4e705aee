// DependencyMatcher in Python, as spaCy's spacy.matcher.DependencyMatcher: DependencyMatcher(vocab, *,
// validate=False), add(key, patterns, *, on_match=None), remove, has_key / in, len, get, and
// matcher(doc_or_span) -> [(match_id, [token ids, one per node])]. Patterns are lists of node dicts,
// converted strictly to JSON (the Matcher binding's pattern_json). Matching runs without the GIL; the
// on_match callbacks are called as spaCy calls them: on_match(matcher, doc, i, matches), with the list
// the call returns (and, for a Span, the Span's copy as `doc`, as spaCy passes Span.as_doc()).
#include <pybind11/stl.h>

#include <mutex>
#include <shared_mutex>
#include <unordered_map>

#include "bindings.hpp"
#include "weft/components/dependency_matcher/dependency_matcher.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"

namespace weft::py {

namespace {

struct PyDependencyMatcher {
  explicit PyDependencyMatcher(std::shared_ptr<Vocab> vocab) : matcher(std::move(vocab)) {}
  DependencyMatcher matcher;
  std::unordered_map<hash_t, pyb::object> callbacks;  // the Python on_match of each key (None: none)
  mutable std::shared_mutex mutex;  // find() holds it shared, add() and remove() exclusively
};

std::string type_of(const pyb::handle& h) {
  return pyb::str(pyb::type::handle_of(h).attr("__name__")).cast<std::string>();
}

bool is_key(const pyb::handle& key) { return is_match_key(key); }

hash_t key_id(const pyb::handle& key) { return match_key_id(key, "DependencyMatcher"); }

void add(PyDependencyMatcher& self, const pyb::handle& key, const pyb::handle& patterns, const pyb::object& on_match) {
  const std::string label = pyb::isinstance<pyb::str>(key) ? utf8_from_py(key) : pyb::str(key).cast<std::string>();
  const hash_t id = key_id(key);
  if (!on_match.is_none() && !PyCallable_Check(on_match.ptr()))
    throw weft::ValueError("DependencyMatcher: key \"" + label + "\": on_match must be callable or None, got " +
                           type_of(on_match) + " (E171)");
  if (!pyb::isinstance<pyb::list>(patterns))
    throw weft::ValueError("DependencyMatcher: key \"" + label + "\": patterns must be a list of patterns, got " +
                           type_of(patterns) + " (E948)");
  Json json = Json::array();
  std::size_t i = 0;
  for (const pyb::handle& p : patterns) {
    try {
      json.push_back(pattern_json(p));
    } catch (const weft::ValueError& e) {
      throw weft::ValueError("DependencyMatcher: key \"" + label + "\", pattern " + std::to_string(i) + ": " + e.cause());
    }
    ++i;
  }
  {
    std::unique_lock lock(self.mutex);
    if (pyb::isinstance<pyb::str>(key)) {
      self.matcher.add(label, json, {});
    } else {
      self.matcher.add(id, json, {});
    }
    self.callbacks[id] = on_match;  // spaCy: adding a key again replaces its callback
  }
  // spaCy's W126: keys of a node other than RIGHT_ID, RIGHT_ATTRS, REL_OP and LEFT_ID are ignored.
  for (const Json& pattern : json) {
    for (std::size_t j = 1; j < pattern.size(); ++j) {
      std::string unsupported;
      for (auto it = pattern[j].begin(); it != pattern[j].end(); ++it) {
        const std::string& k = it.key();
        if (k != "RIGHT_ID" && k != "RIGHT_ATTRS" && k != "REL_OP" && k != "LEFT_ID")
          unsupported += (unsupported.empty() ? "" : ", ") + k;
      }
      if (!unsupported.empty()) {
        const std::string msg = "[W126] These keys are unsupported: " + unsupported;
        if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 1) != 0) throw pyb::error_already_set();
      }
    }
  }
}

pyb::object call(const pyb::object& self_obj, const pyb::object& doclike) {
  PyDependencyMatcher& self = self_obj.cast<PyDependencyMatcher&>();
  std::shared_ptr<Doc> doc;
  // Custom extension attributes ("_"): their columns come from Python (the evaluator weft.matcher
  // installs), computed on the tokens of the Doc or Span given, with the GIL held.
  ExternalColumns columns;
  const bool external = !self.matcher.external_predicates().empty();
  if (pyb::isinstance<Doc>(doclike)) {
    doc = doclike.cast<std::shared_ptr<Doc>>();
    if (external) evaluate_extensions(*doc, 0, doc->size(), self.matcher.external_predicates(), columns);
  } else if (pyb::isinstance<PySpan>(doclike)) {
    // spaCy matches span.as_doc(): a copy, whose indices start at 0.
    const PySpan& span = doclike.cast<const PySpan&>();
    if (external) evaluate_extensions(*span.doc, span.start, span.end, self.matcher.external_predicates(), columns);
    doc = std::make_shared<Doc>(DependencyMatcher::span_doc(*span.doc, span.start, span.end));
  } else {
    throw weft::ValueError("DependencyMatcher: expected a Doc or Span, got " + type_of(doclike) + " (E195)");
  }
  std::vector<DependencyMatch> matches;
  {
    pyb::gil_scoped_release release;
    std::shared_lock lock(self.mutex);
    matches = self.matcher.find(*doc, external ? &columns : nullptr);
  }
  pyb::list out;
  for (const DependencyMatch& m : matches) out.append(pyb::make_tuple(m.match_id, pyb::cast(m.tokens)));
  // spaCy: for i, (match_id, nodes) in enumerate(matched_key_trees): on_match(self, doc, i, matched_key_trees).
  const pyb::object doc_obj = pyb::cast(doc);
  for (std::size_t i = 0; i < pyb::len(out); ++i) {
    const pyb::object item = out[i];
    pyb::object key;
    try {
      key = item[pyb::int_(0)];
    } catch (const pyb::error_already_set&) {
      continue;
    }
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
    callback(self_obj, doc_obj, i, out);
  }
  return out;
}

}  // namespace

void register_dependency_matcher(pyb::module_& m) {
  auto cls = pyb::class_<PyDependencyMatcher>(m, "DependencyMatcher");
  bind_rule_lookups<PyDependencyMatcher>(cls, "DependencyMatcher");
  cls
      .def(pyb::init([](std::shared_ptr<Vocab> vocab, bool /*validate*/) {
             // spaCy passes validate to its Matcher; weft always checks patterns when they are added.
             return std::make_unique<PyDependencyMatcher>(std::move(vocab));
           }),
           pyb::arg("vocab"), pyb::kw_only(), pyb::arg("validate") = false)
      .def_property_readonly("vocab", [](const PyDependencyMatcher& self) { return self.matcher.vocab(); })
      .def(
          "add",
          [](PyDependencyMatcher& self, const pyb::object& key, const pyb::object& patterns, const pyb::object& on_match) {
            add(self, key, patterns, on_match);
          },
          pyb::arg("key"), pyb::arg("patterns"), pyb::kw_only(), pyb::arg("on_match") = pyb::none())
      .def("remove",
           [](PyDependencyMatcher& self, const pyb::object& key) {
             const hash_t id = key_id(key);
             std::unique_lock lock(self.mutex);
             if (!self.matcher.contains(id))
               throw weft::ValueError("DependencyMatcher: cannot remove unknown key " +
                                      pyb::repr(key).cast<std::string>() + " (E175)");
             self.matcher.remove(id);
             self.callbacks.erase(id);
           })
      .def("__call__", &call, pyb::arg("doclike"));
}

}  // namespace weft::py
