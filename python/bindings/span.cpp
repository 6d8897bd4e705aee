// Span in Python: a slice of a Doc (doc[2:5], doc.sents, doc.noun_chunks), with spaCy's attribute names,
// root, sent, sents, ents, char_span and as_doc included; label, kb_id and id (and their string forms)
// are writable on the Span object, as in spaCy.
#include <pybind11/stl.h>

#include <functional>
#include <tuple>

#include "bindings.hpp"
#include "weft/doc/span.hpp"
#include "weft/error.hpp"

namespace weft::py {

namespace {
// Checked: a retokenized Doc can be shorter than an old Span's end.
Span view(const PySpan& s) {
  if (s.end > s.doc->size())
    throw IndexError("span [" + std::to_string(s.start) + ", " + std::to_string(s.end) + ") is outside its Doc of " +
                     std::to_string(s.doc->size()) + " tokens (retokenized?)");
  return Span(s.doc.get(), s.start, s.end, s.label, s.kb_id, s.id);
}
PySpan py_span(const std::shared_ptr<Doc>& doc, const Span& s) {
  return PySpan{doc, s.start(), s.end(), s.label(), s.kb_id(), s.id()};
}
std::string str_of(const PySpan& s, hash_t h) { return h ? std::string(s.doc->str(h)) : std::string(); }
[[noreturn]] void not_implemented(const char* what) {
  PyErr_SetString(PyExc_NotImplementedError, what);
  throw pyb::error_already_set();
}

// spaCy's Span.as_doc(copy_user_data=...): the user_data entries carried over, extension values keyed by
// character offsets shifted to the new Doc (all entries are copied, as spaCy).
void copy_user_data(const PySpan& s, Doc& out) {
  if (!has_user_data(*s.doc)) return;
  const pyb::dict src = user_data(*s.doc);
  const pyb::object copy = pyb::module_::import("copy").attr("copy");
  const pyb::object sub = pyb::module_::import("operator").attr("sub");
  const pyb::int_ offset(view(s).start_char());
  const pyb::str marker("._.");
  pyb::dict dst;
  for (const auto& [key, value] : src) {
    pyb::object k = pyb::reinterpret_borrow<pyb::object>(key);
    if (pyb::isinstance<pyb::tuple>(k) && pyb::len(k) == 4) {
      const pyb::tuple t = pyb::reinterpret_borrow<pyb::tuple>(k);
      pyb::object start = t[2], end = t[3];
      if (marker.equal(t[0]) && (!start.is_none() || !end.is_none())) {
        start = sub(start, offset);
        if (!end.is_none()) end = sub(end, offset);
        k = pyb::make_tuple(t[0], t[1], start, end);
      }
    }
    dst[k] = copy(value);
  }
  set_user_data(out, dst);
}
using CmpKey = std::tuple<std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t, std::uint64_t>;
CmpKey cmp_key(const PySpan& s) {
  const Span v = view(s);
  return {v.start_char(), v.end_char(), s.label, s.kb_id, s.id};
}
}  // namespace

void register_span(pyb::module_& m) {
  auto cls = pyb::class_<PySpan>(m, "Span");
  cls
      // spaCy's Span(doc, start, end, label=, kb_id=, span_id=): each a string or a hash.
      .def(pyb::init([](std::shared_ptr<Doc> doc, std::size_t start, std::size_t end, const pyb::object& label,
                        const pyb::object& kb_id, const pyb::object& span_id) {
             if (start > end || end > doc->size())
               throw IndexError("Span(" + std::to_string(start) + ", " + std::to_string(end) + ") is outside the Doc's " +
                                std::to_string(doc->size()) + " tokens");
             const hash_t l = hash_from_py(*doc, label), k = hash_from_py(*doc, kb_id), i = hash_from_py(*doc, span_id);
             return PySpan{std::move(doc), start, end, l, k, i};
           }),
           pyb::arg("doc"), pyb::arg("start"), pyb::arg("end"), pyb::arg("label") = pyb::none(),
           pyb::kw_only(), pyb::arg("kb_id") = pyb::none(), pyb::arg("span_id") = pyb::none())
      // Writable as in spaCy: an int sets the hash, a str (the _ forms) is interned in the Doc.
      .def_property("kb_id", [](const PySpan& s) { return s.kb_id; }, [](PySpan& s, hash_t v) { s.kb_id = v; })
      .def_property("kb_id_", [](const PySpan& s) { return str_of(s, s.kb_id); },
                    [](PySpan& s, const pyb::object& v) { s.kb_id = hash_from_py(*s.doc, v); })
      .def_property("id", [](const PySpan& s) { return s.id; }, [](PySpan& s, hash_t v) { s.id = v; })
      .def_property("id_", [](const PySpan& s) { return str_of(s, s.id); },
                    [](PySpan& s, const pyb::object& v) { s.id = hash_from_py(*s.doc, v); })
      // spaCy: the ent_id of the span's root token; not settable (E200).
      .def_property(
          "ent_id", [](const PySpan& s) { return view(s).root().ent_id(); },
          [](PySpan&, const pyb::object&) { not_implemented("Can't set ent_id from Span (spaCy's E200)"); })
      .def_property(
          "ent_id_", [](const PySpan& s) { return std::string(view(s).root().ent_id_()); },
          [](PySpan&, const pyb::object&) { not_implemented("Can't set ent_id_ from Span (spaCy's E200)"); })
      .def_property_readonly("doc", [](const PySpan& s) { return s.doc; })
      .def_property_readonly("start", [](const PySpan& s) { return s.start; })
      .def_property_readonly("end", [](const PySpan& s) { return s.end; })
      .def_property_readonly("start_char", [](const PySpan& s) { return view(s).start_char(); })
      .def_property_readonly("end_char", [](const PySpan& s) { return view(s).end_char(); })
      .def_property_readonly("text", [](const PySpan& s) { return std::string(view(s).text()); })
      .def_property_readonly("text_with_ws", [](const PySpan& s) { return std::string(view(s).text_with_ws()); })
      .def_property("label", [](const PySpan& s) { return s.label; }, [](PySpan& s, hash_t v) { s.label = v; })
      .def_property("label_", [](const PySpan& s) { return std::string(view(s).label_()); },
                    [](PySpan& s, const pyb::object& v) { s.label = hash_from_py(*s.doc, v); })
      .def_property_readonly("root", [](const PySpan& s) { return PyToken{s.doc, view(s).root().i()}; })
      .def_property_readonly("sent",
                             [](const PySpan& s) {
                               const Span sent = view(s).sent();
                               return PySpan{s.doc, sent.start(), sent.end(), 0};
                             })
      // spaCy's Span.sents: every sentence the span touches (an iterator, as spaCy's generator).
      .def_property_readonly("sents",
                             [](const PySpan& s) {
                               pyb::list out;
                               for (const Span& x : view(s).sents()) out.append(PySpan{s.doc, x.start(), x.end(), 0});
                               return pyb::iter(out);
                             })
      // spaCy's Span.ents: the Doc's entities wholly inside the span (a list, as spaCy).
      .def_property_readonly("ents",
                             [](const PySpan& s) {
                               pyb::list out;
                               for (const Span& e : view(s).ents()) out.append(py_span(s.doc, e));
                               return out;
                             })
      .def(
          "char_span",
          [](const PySpan& s, std::size_t start, std::size_t end, const pyb::object& label, const pyb::object& kb_id,
             const pyb::object& vector, const pyb::object& /*id: unused, as in spaCy*/,
             const std::string& alignment_mode, const pyb::object& span_id) -> pyb::object {
            if (!vector.is_none()) throw ValueError("char_span: weft Spans carry no vectors (vector must be None)");
            const hash_t l = hash_from_py(*s.doc, label), k = hash_from_py(*s.doc, kb_id),
                         i = hash_from_py(*s.doc, span_id);
            const auto r = view(s).char_span(start, end, l, alignment_mode);
            if (!r) return pyb::none();
            return pyb::cast(PySpan{s.doc, r->start(), r->end(), l, k, i});
          },
          pyb::arg("start_idx"), pyb::arg("end_idx"), pyb::arg("label") = 0, pyb::arg("kb_id") = 0,
          pyb::arg("vector") = pyb::none(), pyb::arg("id") = 0, pyb::arg("alignment_mode") = "strict",
          pyb::arg("span_id") = 0,
          "The Span for character offsets [start_idx, end_idx) relative to this span's start, or None when they do "
          "not align (spaCy's Span.char_span; `id` is unused there too, span_id sets the id)")
      .def(
          "as_doc",
          [](const PySpan& s, bool copy_user, const pyb::object& /*array_head*/, const pyb::object& /*array*/) {
            const Span v = view(s);
            std::shared_ptr<Doc> out;
            {
              pyb::gil_scoped_release release;
              out = std::make_shared<Doc>(v.as_doc());
            }
            if (copy_user) copy_user_data(s, *out);
            return out;
          },
          pyb::kw_only(), pyb::arg("copy_user_data") = false, pyb::arg("array_head") = pyb::none(),
          pyb::arg("array") = pyb::none(),
          "A new Doc with a copy of the span's tokens and annotations (spaCy's Span.as_doc; array_head and array "
          "are accepted and not needed: the copy reads the token records)")
      .def("__len__", [](const PySpan& s) { return s.end - s.start; })
      .def("__getitem__",
           [](const PySpan& s, std::ptrdiff_t i) {
             const std::size_t j = view(s)[i].i();
             return PyToken{s.doc, j};
           })
      .def("__getitem__",
           [](const PySpan& s, const pyb::slice& sl) {
             std::size_t start = 0, stop = 0, step = 0, len = 0;
             if (!sl.compute(s.end - s.start, &start, &stop, &step, &len)) throw pyb::error_already_set();
             if (step != 1) throw pyb::value_error("Span slices must have step 1");
             if (stop < start) stop = start;
             return PySpan{s.doc, s.start + start, s.start + stop, 0};
           })
      .def("__iter__",
           [](const PySpan& s) {
             pyb::list out;
             for (std::size_t i = s.start; i < s.end; ++i) out.append(PyToken{s.doc, i});
             return pyb::iter(out);
           })
      .def("__str__", [](const PySpan& s) { return std::string(view(s).text()); })
      .def("__repr__", [](const PySpan& s) { return std::string(view(s).text()); })
      // spaCy's Span.__richcmp__ and __hash__ over (start_char, end_char, label, kb_id, id): == also needs
      // the same Doc; None compares as in spaCy (==, <, <= False; !=, >, >= True); anything else gives
      // NotImplemented (span == token is False; spaCy answers False to every operator there).
      .def("__eq__",
           [](const PySpan& a, const pyb::object& b) -> pyb::object {
             if (!pyb::isinstance<PySpan>(b)) return pyb::reinterpret_borrow<pyb::object>(Py_NotImplemented);
             const auto& o = b.cast<const PySpan&>();
             return pyb::bool_(a.doc == o.doc && cmp_key(a) == cmp_key(o));
           })
      .def("__ne__",
           [](const PySpan& a, const pyb::object& b) -> pyb::object {
             if (!pyb::isinstance<PySpan>(b)) return pyb::reinterpret_borrow<pyb::object>(Py_NotImplemented);
             const auto& o = b.cast<const PySpan&>();
             return pyb::bool_(!(a.doc == o.doc && cmp_key(a) == cmp_key(o)));
           })
      .def("__hash__", [](const PySpan& s) {
        std::size_t h = std::hash<const void*>()(s.doc.get());
        const auto k = cmp_key(s);
        for (const std::uint64_t v : {std::get<0>(k), std::get<1>(k), std::get<2>(k), std::get<3>(k), std::get<4>(k)})
          h = (h ^ v) * 0x100000001B3ull;
        return h;
      });
  const auto order = [&cls](const char* name, auto cmp, bool vs_none) {
    cls.def(name, [cmp, vs_none](const PySpan& a, const pyb::object& b) -> pyb::object {
      if (b.is_none()) return pyb::bool_(vs_none);
      if (!pyb::isinstance<PySpan>(b)) return pyb::reinterpret_borrow<pyb::object>(Py_NotImplemented);
      return pyb::bool_(cmp(cmp_key(a), cmp_key(b.cast<const PySpan&>())));
    });
  };
  order("__lt__", std::less<>(), false);
  order("__le__", std::less_equal<>(), false);
  order("__gt__", std::greater<>(), true);
  order("__ge__", std::greater_equal<>(), true);
}

}  // namespace weft::py
