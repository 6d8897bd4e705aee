// The _weft extension module, assembled from one register function per class; python/weft/ wraps it
// into the spaCy-style package.
#include "bindings.hpp"
#include "weft/backend/cpu_int8.hpp"

PYBIND11_MODULE(_weft, m) {
  m.doc() = "weft native core";
  m.attr("__version__") = WEFT_VERSION;
  weft::py::register_errors(m);
  weft::py::register_strings(m);
  weft::py::register_doc(m);
  weft::py::register_token(m);
  weft::py::register_span(m);
  weft::py::register_span_group(m);
  weft::py::register_doc_bin(m);
  weft::py::register_tokenizer(m);
  weft::py::register_pipeline(m);
  weft::py::register_registry(m);
  weft::py::register_training(m);
  weft::py::register_phrase_matcher(m);
  weft::py::register_matcher(m);
  weft::py::register_entity_ruler(m);
  weft::py::register_dependency_matcher(m);
  weft::py::register_retokenize(m);
  weft::py::register_cli(m);
  weft::py::register_records(m);
  m.def("set_cpu_int8", &weft::backend::set_cpu_int8, pybind11::arg("on"),
        "Int8 (True, the default where weft is built with oneDNN) or f32 (False: as trained) matrix products for "
        "CPU inference, process-wide; the environment variable WEFT_CPU_INT8=0 sets False at start.");
  m.def("cpu_int8", &weft::backend::int8_available,
        "Whether CPU inference runs int8 matrix products now (switched on, and built with oneDNN).");
}
