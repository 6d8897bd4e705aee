// Span in Python: a slice of a Doc (doc[2:5], doc.sents, doc.noun_chunks), with spaCy's attribute names,
// root and sent included.
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
  return Span(s.doc.get(), s.start, s.end, s.label);
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
      .def_property_readonly("kb_id", [](const PySpan& s) { return s.kb_id; })
      .def_property_readonly("kb_id_", [](const PySpan& s) { return s.kb_id ? std::string(s.doc->str(s.kb_id)) : std::string(); })
      .def_property_readonly("id", [](const PySpan& s) { return s.id; })
      .def_property_readonly("id_", [](const PySpan& s) { return s.id ? std::string(s.doc->str(s.id)) : std::string(); })
      .def_property_readonly("ent_id", [](const PySpan& s) { return s.id; })
      .def_property_readonly("ent_id_", [](const PySpan& s) { return s.id ? std::string(s.doc->str(s.id)) : std::string(); })
      .def_property_readonly("doc", [](const PySpan& s) { return s.doc; })
      .def_property_readonly("start", [](const PySpan& s) { return s.start; })
      .def_property_readonly("end", [](const PySpan& s) { return s.end; })
      .def_property_readonly("start_char", [](const PySpan& s) { return view(s).start_char(); })
      .def_property_readonly("end_char", [](const PySpan& s) { return view(s).end_char(); })
      .def_property_readonly("text", [](const PySpan& s) { return std::string(view(s).text()); })
      .def_property_readonly("text_with_ws", [](const PySpan& s) { return std::string(view(s).text_with_ws()); })
      .def_property_readonly("label", [](const PySpan& s) { return s.label; })
      .def_property_readonly("label_", [](const PySpan& s) { return std::string(view(s).label_()); })
      .def_property_readonly("root", [](const PySpan& s) { return PyToken{s.doc, view(s).root().i()}; })
      .def_property_readonly("sent",
                             [](const PySpan& s) {
                               const Span sent = view(s).sent();
                               return PySpan{s.doc, sent.start(), sent.end(), 0};
                             })
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
