// The _weft extension module, assembled from one register function per class; python/weft/ wraps it
// into the spaCy-style package.
#include "bindings.hpp"
#include "weft/backend/cpu_int8.hpp"
#include "weft/backend/device.hpp"
#include "weft/backend/device_info.hpp"
#include "weft/backend/ops.hpp"

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
  weft::py::register_punkt(m);
  weft::py::register_learners(m);
  weft::py::register_dependency_matcher(m);
  weft::py::register_retokenize(m);
  weft::py::register_displacy(m);
  weft::py::register_interop(m);
  weft::py::register_cli(m);
  weft::py::register_records(m);
  m.def("set_cpu_int8", &weft::backend::set_cpu_int8, pybind11::arg("on"),
        "Int8 (True, the default where weft is built with oneDNN) or f32 (False: as trained) matrix products for "
        "CPU inference, process-wide; the environment variable WEFT_CPU_INT8=0 sets False at start.");
  m.def("cuda_device_count", &weft::backend::cuda_device_count,
        "CUDA devices this build of weft can use (0 without the CUDA module, a driver or a GPU).");
  m.def(
      "cuda_unavailable_reason", [] { return weft::backend::cuda_info().devices > 0 ? std::string() : weft::backend::cuda_info().error; },
      "Why no CUDA device can be used (\"\" when one can).");
  m.def(
      "check_device",
      [](const std::string& name) {
        const weft::backend::Device d = weft::backend::Device::parse(name);
        (void)weft::backend::ops(d);
        return d.str();
      },
      pybind11::arg("device"), "The device's canonical name; ValueError naming CUDA and why for a GPU that is not available.");
  m.def(
      "device_memory",
      [](const std::string& name) {
        const weft::backend::DeviceMemoryStats s = weft::backend::device_memory_stats(weft::backend::Device::parse(name));
        pybind11::dict out;
        out["in_use"] = s.in_use;
        out["peak"] = s.peak;
        out["reserved"] = s.reserved;
        return out;
      },
      pybind11::arg("device"), "A CUDA device's memory in bytes: in use, peak since reset_peak_device_memory, reserved.");
  m.def(
      "reset_peak_device_memory",
      [](const std::string& name) { weft::backend::reset_peak_device_memory(weft::backend::Device::parse(name)); },
      pybind11::arg("device"));
  m.def("cpu_int8", &weft::backend::int8_available,
        "Whether CPU inference runs int8 matrix products now (switched on, and built with oneDNN).");
}
