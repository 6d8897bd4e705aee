// DocBin in Python, as spaCy's: DocBin(docs=...), add, get_docs(vocab), to_bytes / from_bytes,
// to_disk / from_disk, len.
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/doc/doc_bin.hpp"

namespace weft::py {

void register_doc_bin(pyb::module_& m) {
  pyb::class_<DocBin>(m, "DocBin")
      .def(pyb::init([](const std::optional<pyb::iterable>& docs) {
             DocBin bin;
             if (docs)
               for (auto d : *docs) {
                 const auto doc = d.cast<std::shared_ptr<Doc>>();
                 sync_span_group_attrs(*doc);
                 bin.add(*doc);
               }
             return bin;
           }),
           pyb::arg("docs") = pyb::none())
      .def("add", [](DocBin& b, const std::shared_ptr<Doc>& d) {
        sync_span_group_attrs(*d);
        b.add(*d);
      })
      .def("__len__", &DocBin::size)
      .def("get_docs",
           [](const DocBin& b, std::shared_ptr<Vocab> vocab) {
             std::vector<Doc> docs;
             {
               pyb::gil_scoped_release release;
               docs = b.get_docs(std::move(vocab));
             }
             pyb::list out;
             for (Doc& d : docs) out.append(std::make_shared<Doc>(std::move(d)));
             return pyb::iter(out);
           })
      .def("to_bytes", [](const DocBin& b) { return pyb::bytes(b.to_bytes()); })
      .def("from_bytes",
           [](DocBin& b, const pyb::bytes& data) -> DocBin& {
             b = DocBin::from_bytes(std::string(data), "<bytes>");
             return b;
           },
           pyb::return_value_policy::reference)
      .def("to_disk", [](const DocBin& b, const pyb::object& path) { b.to_disk(pyb::str(path).cast<std::string>()); })
      .def("from_disk",
           [](DocBin& b, const pyb::object& path) -> DocBin& {
             b = DocBin::from_disk(pyb::str(path).cast<std::string>());
             return b;
           },
           pyb::return_value_policy::reference);
}

}  // namespace weft::py
