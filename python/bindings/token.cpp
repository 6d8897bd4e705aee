// Token in Python with spaCy's attribute names: text, i, idx (code points), whitespace_, text_with_ws,
// the lexical attributes (lower_, norm_, shape_, prefix_, suffix_, hashes without the underscore) and
// every boolean flag (is_alpha ... like_email), plus the annotation fields later components fill
// (pos_, tag_, lemma_, morph_, dep_, ent_type_, ent_id_, ent_kb_id_), and spaCy's syntax accessors (head, children, lefts,
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

// spaCy's is_sent_start values: True, False or None (E044 otherwise).
std::int8_t sent_start_from_py(const pyb::object& v) {
  if (v.is_none()) return 0;
  if (pyb::isinstance<pyb::bool_>(v)) return v.cast<bool>() ? 1 : -1;
  throw ValueError("invalid value for token.is_sent_start: " + std::string(pyb::repr(v)) + "; must be True, False or None");
}

// The token's record for a setter (checked as tok()).
TokenData& mut(const PyToken& t) {
  (void)tok(t);
  return t.doc->data(t.i);
}

// The token's Doc for a setter of what lives beside the records (entity ids; checked as tok()).
Doc& mut_doc(const PyToken& t) {
  (void)tok(t);
  return *t.doc;
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
          .def_property("norm", [](const PyToken& t) { return tok(t).norm(); },
                        [](const PyToken& t, hash_t v) { mut(t).norm = v; })
          .def_property("norm_", [](const PyToken& t) { return tok(t).norm_(); },
                        [](const PyToken& t, const pyb::object& v) { mut(t).norm = hash_from_py(*t.doc, v); })
          .def_property_readonly("shape", [](const PyToken& t) { return tok(t).shape(); })
          .def_property_readonly("shape_", [](const PyToken& t) { return tok(t).shape_(); })
          .def_property_readonly("prefix", [](const PyToken& t) { return tok(t).prefix(); })
          .def_property_readonly("prefix_", [](const PyToken& t) { return tok(t).prefix_(); })
          .def_property_readonly("suffix", [](const PyToken& t) { return tok(t).suffix(); })
          .def_property_readonly("suffix_", [](const PyToken& t) { return tok(t).suffix_(); })
          // Writable annotations, as spaCy's setters: a str (interned in the Doc) or a hash.
          .def_property("lemma", [](const PyToken& t) { return tok(t).lemma(); },
                        [](const PyToken& t, hash_t v) { mut(t).lemma = v; })
          .def_property("lemma_", [](const PyToken& t) { return std::string(tok(t).lemma_()); },
                        [](const PyToken& t, const pyb::object& v) { mut(t).lemma = hash_from_py(*t.doc, v); })
          .def_property("pos", [](const PyToken& t) { return static_cast<int>(tok(t).pos()); },
                        [](const PyToken& t, int v) {
                          if (v < 0 || v >= static_cast<int>(UPOS::COUNT))
                            throw ValueError("token.pos: " + std::to_string(v) + " is not a UPOS id");
                          mut(t).pos = static_cast<UPOS>(v);
                        })
          .def_property("pos_", [](const PyToken& t) { return std::string(tok(t).pos_()); },
                        [](const PyToken& t, const std::string& v) {
                          const auto u = upos_from_name(v);
                          // spaCy's E1021
                          if (!u) throw ValueError("token.pos_: \"" + v + "\" is not a valid part-of-speech tag (the UD UPOS tags: NOUN, VERB, ...)");
                          mut(t).pos = *u;
                        })
          .def_property("tag", [](const PyToken& t) { return tok(t).tag(); },
                        [](const PyToken& t, hash_t v) { mut(t).tag = v; })
          .def_property("tag_", [](const PyToken& t) { return std::string(tok(t).tag_()); },
                        [](const PyToken& t, const pyb::object& v) { mut(t).tag = hash_from_py(*t.doc, v); })
          // The UD FEATS string ("" when unset); weft.Token.morph (python/weft/morphology.py) wraps it
          // in a MorphAnalysis as spaCy's token.morph.
          .def_property_readonly("morph_", [](const PyToken& t) { return std::string(tok(t).morph_()); })
          .def_property_readonly("morph_key", [](const PyToken& t) { return tok(t).morph(); })
          // spaCy's token.set_morph core (weft.Token.set_morph and the morph setter wrap it): a FEATS str
          // stored in canonical order, a hash of one, or None to unset.
          .def("_set_morph",
               [](const PyToken& t, const pyb::object& feats) {
                 (void)tok(t);
                 if (feats.is_none()) mut(t).morph = 0;
                 else if (pyb::isinstance<pyb::int_>(feats)) t.doc->set_morph(t.i, std::string(t.doc->str(feats.cast<hash_t>())));
                 else t.doc->set_morph(t.i, utf8_from_py(feats));
               })
          .def_property("dep", [](const PyToken& t) { return tok(t).dep(); },
                        [](const PyToken& t, hash_t v) { mut(t).dep = v; })
          .def_property("dep_", [](const PyToken& t) { return std::string(tok(t).dep_()); },
                        [](const PyToken& t, const pyb::object& v) { mut(t).dep = hash_from_py(*t.doc, v); })
          // spaCy sets the type alone (the IOB code is the Doc's: doc.ents / doc.set_ents).
          .def_property("ent_type", [](const PyToken& t) { return tok(t).ent_type(); },
                        [](const PyToken& t, hash_t v) { mut(t).ent_type = v; })
          .def_property("ent_type_", [](const PyToken& t) { return std::string(tok(t).ent_type_()); },
                        [](const PyToken& t, const pyb::object& v) { mut(t).ent_type = hash_from_py(*t.doc, v); })
          // spaCy's entity ids, writable as there (doc.ents and set_ents write them from the Spans).
          .def_property("ent_id", [](const PyToken& t) { return tok(t).ent_id(); },
                        [](const PyToken& t, hash_t v) { mut_doc(t).set_ent_id(t.i, v); })
          .def_property("ent_id_", [](const PyToken& t) { return std::string(tok(t).ent_id_()); },
                        [](const PyToken& t, const pyb::object& v) { mut_doc(t).set_ent_id(t.i, hash_from_py(*t.doc, v)); })
          .def_property("ent_kb_id", [](const PyToken& t) { return tok(t).ent_kb_id(); },
                        [](const PyToken& t, hash_t v) { mut_doc(t).set_ent_kb_id(t.i, v); })
          .def_property("ent_kb_id_", [](const PyToken& t) { return std::string(tok(t).ent_kb_id_()); },
                        [](const PyToken& t, const pyb::object& v) { mut_doc(t).set_ent_kb_id(t.i, hash_from_py(*t.doc, v)); })
          .def_property_readonly("ent_iob", [](const PyToken& t) { return static_cast<int>(tok(t).data().ent_iob); })
          .def_property_readonly("ent_iob_", [](const PyToken& t) { return std::string(tok(t).ent_iob_()); })
          .def_property("is_sent_start",
                        [](const PyToken& t) -> pyb::object {
                          const auto s = tok(t).data().sent_start;
                          if (t.i == 0) return pyb::bool_(true);
                          if (s == 0) return pyb::none();
                          return pyb::bool_(s == 1);
                        },
                        [](const PyToken& t, const pyb::object& v) { t.doc->set_sent_start(t.i, sent_start_from_py(v)); })
          .def_property("sent_start",
                        [](const PyToken& t) -> pyb::object {
                          if (t.i == 0) return pyb::bool_(true);
                          const auto s = tok(t).data().sent_start;
                          return s == 0 ? pyb::object(pyb::none()) : pyb::object(pyb::bool_(s == 1));
                        },
                        [](const PyToken& t, const pyb::object& v) { t.doc->set_sent_start(t.i, sent_start_from_py(v)); })
          .def_property_readonly("is_sent_end",
                                 [](const PyToken& t) -> pyb::object {
                                   (void)tok(t);
                                   if (t.i + 1 == t.doc->size()) return pyb::bool_(true);
                                   const auto s = t.doc->data(t.i + 1).sent_start;
                                   return s == 0 ? pyb::object(pyb::none()) : pyb::object(pyb::bool_(s == 1));
                                 })
          // spaCy's head setter: a Token of the same Doc (E191 otherwise); the sentences follow the trees.
          .def_property(
              "head", [](const PyToken& t) { return PyToken{t.doc, tok(t).head().i()}; },
              [](const PyToken& t, const pyb::object& h) {
                if (!pyb::isinstance<PyToken>(h)) throw pyb::type_error("token.head must be a Token");
                const auto& head = h.cast<const PyToken&>();
                if (head.doc != t.doc) throw ValueError("token.head: the new head belongs to another Doc (spaCy's E191)");
                t.doc->set_head(t.i, head.i);
              })
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
          // spaCy's Token.__richcmp__: == within one Doc by position (Tokens of different Docs are never
          // equal); <, <=, >, >= by character offset. Anything but a Token gives NotImplemented, so
          // `token == None` is False and `token in [None, token]` works.
          .def("__eq__", [](const PyToken& a, const pyb::object& b) -> pyb::object {
            if (!pyb::isinstance<PyToken>(b)) return pyb::reinterpret_borrow<pyb::object>(Py_NotImplemented);
            const auto& o = b.cast<const PyToken&>();
            return pyb::bool_(a.doc == o.doc && a.i == o.i);
          })
          .def("__ne__", [](const PyToken& a, const pyb::object& b) -> pyb::object {
            if (!pyb::isinstance<PyToken>(b)) return pyb::reinterpret_borrow<pyb::object>(Py_NotImplemented);
            const auto& o = b.cast<const PyToken&>();
            return pyb::bool_(!(a.doc == o.doc && a.i == o.i));
          })
          .def("__hash__", [](const PyToken& t) { return std::hash<const void*>()(t.doc.get()) ^ (t.i * 0x9E3779B97F4A7C15ull); });
  const auto order = [&cls](const char* name, auto cmp, bool vs_none) {
    cls.def(name, [cmp, vs_none](const PyToken& a, const pyb::object& b) -> pyb::object {
      if (b.is_none()) return pyb::bool_(vs_none);  // spaCy: <, <= False; >, >= True
      if (!pyb::isinstance<PyToken>(b)) return pyb::reinterpret_borrow<pyb::object>(Py_NotImplemented);
      return pyb::bool_(cmp(tok(a).idx(), tok(b.cast<const PyToken&>()).idx()));
    });
  };
  order("__lt__", std::less<std::size_t>(), false);
  order("__le__", std::less_equal<std::size_t>(), false);
  order("__gt__", std::greater<std::size_t>(), true);
  order("__ge__", std::greater_equal<std::size_t>(), true);
  for (const auto& [name, flag] : flag_properties())
    cls.def_property_readonly(name.c_str(), [f = flag](const PyToken& t) { return tok(t).check_flag(f); });
}

}  // namespace weft::py
