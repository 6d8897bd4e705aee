// Span in Python: a slice of a Doc (doc[2:5], doc.sents, doc.noun_chunks), with spaCy's attribute names,
// root and sent included.
#include <pybind11/stl.h>

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
}  // namespace

void register_span(pyb::module_& m) {
  pyb::class_<PySpan>(m, "Span")
      // spaCy's Span(doc, start, end, label=...): the label as a string or a hash.
      .def(pyb::init([](std::shared_ptr<Doc> doc, std::size_t start, std::size_t end, const pyb::object& label) {
             if (start > end || end > doc->size())
               throw IndexError("Span(" + std::to_string(start) + ", " + std::to_string(end) + ") is outside the Doc's " +
                                std::to_string(doc->size()) + " tokens");
             hash_t h = 0;
             if (pyb::isinstance<pyb::str>(label)) h = doc->intern(utf8_from_py(label));
             else if (!label.is_none()) h = label.cast<hash_t>();
             return PySpan{std::move(doc), start, end, h};
           }),
           pyb::arg("doc"), pyb::arg("start"), pyb::arg("end"), pyb::arg("label") = pyb::none())
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
      .def("__eq__", [](const PySpan& a, const PySpan& b) {
        return a.doc == b.doc && a.start == b.start && a.end == b.end && a.label == b.label;
      });
}

}  // namespace weft::py
