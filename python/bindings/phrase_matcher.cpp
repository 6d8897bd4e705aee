// weft.PhraseMatcher: spaCy's PhraseMatcher over the native one (components/phrase_matcher). Python
// checks the arguments (Docs only, a list rather than one Doc) and keeps the on_match callables; they
// are called as spaCy calls them, on_match(matcher, doc, i, matches), with the very list __call__ then
// returns, so a callback may edit it.
#include <pybind11/stl.h>

#include <unordered_map>

#include "bindings.hpp"
#include "weft/components/phrase_matcher/phrase_matcher.hpp"
#include "weft/error.hpp"

namespace weft::py {

namespace {

struct PyPhraseMatcher {
  PhraseMatcher matcher;
  std::unordered_map<hash_t, pyb::object> callbacks;  // match id -> on_match, for keys that have one
  bool validate = false;
};

std::string type_name(const pyb::handle& h) { return Py_TYPE(h.ptr())->tp_name; }

Attr attr_argument(const pyb::object& attr) {
  if (attr.is_none()) return Attr::ORTH;  // spaCy takes None as ORTH
  if (pyb::isinstance<pyb::str>(attr)) return PhraseMatcher::parse_attr(utf8_from_py(attr));
  if (pyb::isinstance<pyb::int_>(attr) && !pyb::isinstance<pyb::bool_>(attr)) {
    const Attr a = static_cast<Attr>(attr.cast<std::uint32_t>());
    PhraseMatcher::check_attr(a);
    return a;
  }
  throw pyb::type_error("PhraseMatcher: attr must be an attribute name or id, got " + type_name(attr));
}

// spaCy's W012: with validate=True, annotated pattern Docs are pointless when the attribute is lexical.
void warn_if_annotated(const PyPhraseMatcher& self, const std::string& key, const Doc& doc) {
  static constexpr Attr kAnnotations[] = {Attr::TAG, Attr::POS, Attr::MORPH, Attr::LEMMA, Attr::DEP};
  const Attr attr = self.matcher.attr();
  bool annotated = false;
  for (Attr a : kAnnotations) {
    if (a == attr) return;
    annotated = annotated || doc.has_annotation(a);
  }
  if (!annotated) return;
  const std::string msg = "A Doc added to the PhraseMatcher for pattern '" + key +
                          "' is tagged and/or parsed, but matching on '" + std::string(attr_name(attr)) +
                          "' does not need that annotation: nlp.make_doc would create the patterns faster.";
  if (PyErr_WarnEx(PyExc_UserWarning, msg.c_str(), 2) != 0) throw pyb::error_already_set();
}

void add(PyPhraseMatcher& self, const pyb::object& key_obj, const pyb::object& docs, const pyb::args& more,
         const pyb::object& on_match_kw) {
  if (!pyb::isinstance<pyb::str>(key_obj))
    throw pyb::type_error("PhraseMatcher.add: the key must be a str, got " + type_name(key_obj));
  const std::string key = utf8_from_py(key_obj);
  const std::string where = "PhraseMatcher.add(\"" + key + "\"): ";
  pyb::object patterns = docs, on_match = on_match_kw;
  // spaCy 2's form add(key, on_match, *docs), which spaCy 3 still accepts.
  if (docs.is_none() || PyCallable_Check(docs.ptr())) {
    on_match = docs;
    patterns = more;
  }
  if (!on_match.is_none() && !PyCallable_Check(on_match.ptr()))
    throw weft::ValueError(where + "on_match must be callable or None, got " + type_name(on_match));
  if (pyb::isinstance<Doc>(patterns))
    throw weft::ValueError(where + "expected a list of Docs, got a single Doc; wrap it in a list: matcher.add(\"" +
                           key + "\", [doc])");
  if (pyb::isinstance<pyb::str>(patterns) || !pyb::hasattr(patterns, "__iter__"))
    throw pyb::type_error(where + "expected a list of Docs, got " + type_name(patterns));
  std::vector<std::shared_ptr<Doc>> held;
  std::vector<const Doc*> ptrs;
  std::size_t index = 0;
  for (const pyb::handle item : patterns) {
    if (!pyb::isinstance<Doc>(item))
      throw pyb::type_error(where + "pattern " + std::to_string(index) + " is a " + type_name(item) +
                            ", not a Doc; make patterns with nlp.make_doc(text)");
    held.push_back(item.cast<std::shared_ptr<Doc>>());
    ptrs.push_back(held.back().get());
    ++index;
  }
  if (self.validate)
    for (const Doc* d : ptrs) warn_if_annotated(self, key, *d);
  self.matcher.add(key, std::span<const Doc* const>(ptrs));
  const hash_t id = hash_string(key);
  if (on_match.is_none()) self.callbacks.erase(id);
  else self.callbacks[id] = on_match;
}

pyb::list call(const pyb::object& self_obj, const pyb::object& doclike, bool as_spans) {
  PyPhraseMatcher& self = self_obj.cast<PyPhraseMatcher&>();
  pyb::list matches;
  if (doclike.is_none()) return matches;  // as spaCy
  std::shared_ptr<Doc> doc;
  std::size_t start = 0, end = 0;
  pyb::object doc_obj;
  if (pyb::isinstance<Doc>(doclike)) {
    doc = doclike.cast<std::shared_ptr<Doc>>();
    end = doc->size();
    doc_obj = doclike;
  } else if (pyb::isinstance<PySpan>(doclike)) {
    const PySpan& span = doclike.cast<const PySpan&>();
    doc = span.doc;
    start = span.start;
    end = span.end;
    doc_obj = pyb::cast(doc);
  } else {
    throw weft::ValueError("PhraseMatcher can be called on a Doc or Span only, got " + type_name(doclike));
  }
  if (start == end) return matches;
  std::vector<PhraseMatch> found;
  self.matcher.find(*doc, start, end, found);
  for (const PhraseMatch& m : found) matches.append(pyb::make_tuple(m.match_id, m.start, m.end));
  // Callbacks in match order; the length is read again after each, as spaCy's loop does.
  if (!self.callbacks.empty()) {
    for (std::size_t i = 0; i < pyb::len(matches); ++i) {
      const pyb::object item = matches[i];
      const auto it = self.callbacks.find(item[pyb::int_(0)].cast<hash_t>());
      if (it == self.callbacks.end()) continue;
      const pyb::object callback = it->second;  // a callback may add or remove keys
      callback(self_obj, doc_obj, i, matches);
    }
  }
  if (!as_spans) return matches;
  pyb::list spans;
  for (const pyb::handle item : matches) {
    const auto t = item.cast<std::tuple<hash_t, std::size_t, std::size_t>>();
    const auto [id, s, e] = t;
    if (s > e || e > doc->size())
      throw weft::IndexError("PhraseMatcher: match (" + std::to_string(s) + ", " + std::to_string(e) +
                             ") is outside the Doc of " + std::to_string(doc->size()) + " tokens");
    // The label must resolve through span.label_: a frozen Vocab could not take the key, so the Doc
    // keeps it in its own string pool.
    if (auto name = self.matcher.key_name(id); name && !doc->vocab().strings().contains(id)) doc->intern(*name);
    spans.append(PySpan{doc, s, e, id});
  }
  return spans;
}

}  // namespace

void register_phrase_matcher(pyb::module_& m) {
  pyb::class_<PyPhraseMatcher>(m, "PhraseMatcher",
                               "Matches large terminology lists: patterns are Docs, compared token by token on one "
                               "attribute (ORTH by default, LOWER, NORM, LEMMA, TAG, ...), as spaCy's PhraseMatcher.")
      .def(pyb::init([](std::shared_ptr<Vocab> vocab, const pyb::object& attr, bool validate) {
             return std::make_unique<PyPhraseMatcher>(
                 PyPhraseMatcher{PhraseMatcher(std::move(vocab), attr_argument(attr)), {}, validate});
           }),
           pyb::arg("vocab"), pyb::arg("attr") = "ORTH", pyb::arg("validate") = false)
      .def("add", &add, pyb::arg("key"), pyb::arg("docs"), pyb::arg("on_match") = pyb::none(),
           "add(key, docs, on_match=None): adds the pattern Docs under key; on_match(matcher, doc, i, matches) "
           "runs for each of its matches")
      .def(
          "remove",
          [](PyPhraseMatcher& self, const pyb::object& key) {
            if (!pyb::isinstance<pyb::str>(key)) throw pyb::key_error(pyb::repr(key).cast<std::string>());
            const std::string k = utf8_from_py(key);
            self.matcher.remove(k);
            self.callbacks.erase(hash_string(k));
          },
          pyb::arg("key"))
      .def("__call__", &call, pyb::arg("doclike"), pyb::kw_only(), pyb::arg("as_spans") = false,
           "The matches in a Doc or Span: [(match_id, start, end)] (Doc token indices), or labelled Spans with "
           "as_spans=True")
      .def("__contains__",
           [](const PyPhraseMatcher& self, const pyb::object& key) {
             if (pyb::isinstance<pyb::str>(key)) return self.matcher.contains(std::string_view(utf8_from_py(key)));
             if (pyb::isinstance<pyb::int_>(key) && !pyb::isinstance<pyb::bool_>(key) &&
                 key.cast<pyb::int_>() >= pyb::int_(0))
               return self.matcher.contains(key.cast<hash_t>());
             return false;
           })
      .def("__len__", [](const PyPhraseMatcher& self) { return self.matcher.size(); })
      .def_property_readonly("attr", [](const PyPhraseMatcher& self) { return static_cast<std::uint32_t>(self.matcher.attr()); })
      .def_property_readonly("vocab", [](const PyPhraseMatcher& self) { return self.matcher.vocab(); })
      .def_property_readonly("n_phrases", [](const PyPhraseMatcher& self) { return self.matcher.n_phrases(); })
      .def("__repr__", [](const PyPhraseMatcher& self) {
        return "<weft.PhraseMatcher attr=" + std::string(attr_name(self.matcher.attr())) +
               " keys=" + std::to_string(self.matcher.size()) + " phrases=" + std::to_string(self.matcher.n_phrases()) +
               ">";
      });
}

}  // namespace weft::py
