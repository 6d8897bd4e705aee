// The _weft extension module, assembled from one register function per class; python/weft/ wraps it
// into the spaCy-style package.
#include "bindings.hpp"

PYBIND11_MODULE(_weft, m) {
  m.doc() = "weft native core";
  m.attr("__version__") = WEFT_VERSION;
  weft::py::register_errors(m);
  weft::py::register_strings(m);
  weft::py::register_doc(m);
  weft::py::register_token(m);
  weft::py::register_span(m);
  weft::py::register_doc_bin(m);
  weft::py::register_pipeline(m);
  weft::py::register_registry(m);
  weft::py::register_training(m);
  weft::py::register_phrase_matcher(m);
  weft::py::register_matcher(m);
  weft::py::register_entity_ruler(m);
}
