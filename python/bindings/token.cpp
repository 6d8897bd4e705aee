// Token in Python with spaCy's attribute names: text, i, idx (code points), whitespace_, text_with_ws,
// the lexical attributes (lower_, norm_, shape_, prefix_, suffix_, hashes without the underscore) and
// every boolean flag (is_alpha ... like_email), plus the annotation fields later components fill
// (pos_, tag_, lemma_, morph_, dep_, ent_type_), and spaCy's syntax accessors (head, children, lefts,
// rights, subtree, ancestors: iterators as spaCy's generators; left_edge, right_edge, sent). All are
// read-only, like every other attribute here.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/doc/span.hpp"
#include "weft/doc/token.hpp"
#include "weft/error.hpp"

namespace weft::py {

namespace {
// Checked: a retokenized Doc can be shorter than an old Token's index.
Token tok(const PyToken& t) {
  if (t.i >= t.doc->size())
    throw IndexError("token " + std::to_string(t.i) + " is outside its Doc of " + std::to_string(t.doc->size()) +
                     " tokens (retokenized?)");
  return t.doc->token(t.i);
}

// A Python iterator over tokens of t's Doc.
pyb::iterator token_iter(const PyToken& t, const std::vector<Token>& tokens) {
  pyb::list out;
  for (const Token& x : tokens) out.append(PyToken{t.doc, x.i()});
  return pyb::iter(out);
}
}  // namespace

void register_token(pyb::module_& m) {
  auto cls =
      pyb::class_<PyToken>(m, "Token")
          .def_property_readonly("doc", [](const PyToken& t) { return t.doc; })
          .def_property_readonly("i", [](const PyToken& t) { return t.i; })
          .def_property_readonly("text", [](const PyToken& t) { return std::string(tok(t).text()); })
          .def_property_readonly("orth_", [](const PyToken& t) { return std::string(tok(t).text()); })
          .def_property_readonly("orth", [](const PyToken& t) { return tok(t).orth(); })
          .def_property_readonly("idx", [](const PyToken& t) { return tok(t).idx(); })
          .def_property_readonly("whitespace_", [](const PyToken& t) { return std::string(tok(t).whitespace()); })
          .def_property_readonly("text_with_ws", [](const PyToken& t) { return tok(t).text_with_ws(); })
          .def_property_readonly("lower", [](const PyToken& t) { return tok(t).lower(); })
          .def_property_readonly("lower_", [](const PyToken& t) { return tok(t).lower_(); })
          .def_property_readonly("norm", [](const PyToken& t) { return tok(t).norm(); })
          .def_property_readonly("norm_", [](const PyToken& t) { return tok(t).norm_(); })
          .def_property_readonly("shape", [](const PyToken& t) { return tok(t).shape(); })
          .def_property_readonly("shape_", [](const PyToken& t) { return tok(t).shape_(); })
          .def_property_readonly("prefix", [](const PyToken& t) { return tok(t).prefix(); })
          .def_property_readonly("prefix_", [](const PyToken& t) { return tok(t).prefix_(); })
          .def_property_readonly("suffix", [](const PyToken& t) { return tok(t).suffix(); })
          .def_property_readonly("suffix_", [](const PyToken& t) { return tok(t).suffix_(); })
          .def_property_readonly("lemma", [](const PyToken& t) { return tok(t).lemma(); })
          .def_property_readonly("lemma_", [](const PyToken& t) { return std::string(tok(t).lemma_()); })
          .def_property_readonly("pos", [](const PyToken& t) { return static_cast<int>(tok(t).pos()); })
          .def_property_readonly("pos_", [](const PyToken& t) { return std::string(tok(t).pos_()); })
          .def_property_readonly("tag", [](const PyToken& t) { return tok(t).tag(); })
          .def_property_readonly("tag_", [](const PyToken& t) { return std::string(tok(t).tag_()); })
          // The UD FEATS string ("" when unset); weft.Token.morph (python/weft/morphology.py) wraps it
          // in a MorphAnalysis as spaCy's token.morph.
          .def_property_readonly("morph_", [](const PyToken& t) { return std::string(tok(t).morph_()); })
          .def_property_readonly("morph_key", [](const PyToken& t) { return tok(t).morph(); })
          .def_property_readonly("dep", [](const PyToken& t) { return tok(t).dep(); })
          .def_property_readonly("dep_", [](const PyToken& t) { return std::string(tok(t).dep_()); })
          .def_property_readonly("ent_type", [](const PyToken& t) { return tok(t).ent_type(); })
          .def_property_readonly("ent_type_", [](const PyToken& t) { return std::string(tok(t).ent_type_()); })
          .def_property_readonly("ent_iob", [](const PyToken& t) { return static_cast<int>(tok(t).data().ent_iob); })
          .def_property_readonly("ent_iob_", [](const PyToken& t) { return std::string(tok(t).ent_iob_()); })
          .def_property_readonly("is_sent_start",
                                 [](const PyToken& t) -> pyb::object {
                                   const auto s = tok(t).data().sent_start;
                                   if (t.i == 0) return pyb::bool_(true);
                                   if (s == 0) return pyb::none();
                                   return pyb::bool_(s == 1);
                                 })
          .def_property_readonly("head", [](const PyToken& t) { return PyToken{t.doc, tok(t).head().i()}; })
          .def_property_readonly("children", [](const PyToken& t) { return token_iter(t, tok(t).children()); })
          .def_property_readonly("lefts", [](const PyToken& t) { return token_iter(t, tok(t).lefts()); })
          .def_property_readonly("rights", [](const PyToken& t) { return token_iter(t, tok(t).rights()); })
          .def_property_readonly("n_lefts", [](const PyToken& t) { return tok(t).n_lefts(); })
          .def_property_readonly("n_rights", [](const PyToken& t) { return tok(t).n_rights(); })
          .def_property_readonly("subtree", [](const PyToken& t) { return token_iter(t, tok(t).subtree()); })
          .def_property_readonly("ancestors", [](const PyToken& t) { return token_iter(t, tok(t).ancestors()); })
          .def(
              "is_ancestor",
              [](const PyToken& t, const PyToken& descendant) {
                return t.doc == descendant.doc && tok(t).is_ancestor(tok(descendant));
              },
              pyb::arg("descendant"))
          .def_property_readonly("left_edge", [](const PyToken& t) { return PyToken{t.doc, tok(t).left_edge().i()}; })
          .def_property_readonly("right_edge", [](const PyToken& t) { return PyToken{t.doc, tok(t).right_edge().i()}; })
          .def_property_readonly("sent",
                                 [](const PyToken& t) {
                                   const Span s = tok(t).sent();
                                   return PySpan{t.doc, s.start(), s.end(), 0};
                                 })
          .def("nbor",
               [](const PyToken& t, std::ptrdiff_t k) {
                 const std::ptrdiff_t j = static_cast<std::ptrdiff_t>(t.i) + k;
                 if (j < 0 || j >= static_cast<std::ptrdiff_t>(t.doc->size()))
                   throw pyb::index_error("token index " + std::to_string(j) + " out of range");
                 return PyToken{t.doc, static_cast<std::size_t>(j)};
               },
               pyb::arg("i") = 1)
          .def("check_flag", [](const PyToken& t, const pyb::object& a) {
            auto f = flag_of(attr_from_py(a));
            if (!f) throw pyb::value_error("not a boolean flag attribute");
            return tok(t).check_flag(*f);
          })
          .def("__len__", [](const PyToken& t) { return tok(t).length(); })
          .def("__str__", [](const PyToken& t) { return std::string(tok(t).text()); })
          .def("__repr__", [](const PyToken& t) { return std::string(tok(t).text()); })
          .def("__eq__", [](const PyToken& a, const PyToken& b) { return a.doc == b.doc && a.i == b.i; })
          .def("__hash__", [](const PyToken& t) { return std::hash<const void*>()(t.doc.get()) ^ t.i; });
  for (const auto& [name, flag] : flag_properties())
    cls.def_property_readonly(name.c_str(), [f = flag](const PyToken& t) { return tok(t).check_flag(f); });
}

}  // namespace weft::py
