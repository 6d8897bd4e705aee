// Interop with the tensor ecosystems: weft.Tensor (a tensor of weft's backend, on the CPU or a GPU, with
// the DLPack protocol: __dlpack__ / __dlpack_device__), doc.tensor (spaCy's: the tok2vec's output per
// token, a read-only NumPy view on the CPU, a weft.Tensor on a GPU), nlp.keep_tensors, and the ONNX
// export and its trace (weft.onnx).
//
// DLPack (https://dmlc.github.io/dlpack/latest/python_spec.html): __dlpack__ returns a PyCapsule named
// "dltensor_versioned" (DLPack 1.0, when the consumer passes max_version >= (1, 0); the read-only flag
// set) or "dltensor" (the legacy struct, which cannot say read-only) holding a managed tensor whose
// deleter releases weft's tensor, so the consumer's array shares weft's memory and keeps it alive. A
// consumer renames the capsule "used_..." when it takes the tensor; a capsule never taken frees it in
// its destructor. The structs are declared here as dlpack.h defines them.
#include <Python.h>
#include <pybind11/numpy.h>
#include <pybind11/stl.h>

#include <cstring>

#include "bindings.hpp"
#include "weft/error.hpp"
#include "weft/components/interop/onnx_export.hpp"
#include "weft/pipeline/pipeline.hpp"

namespace weft::py {

namespace {

// dlpack.h (v1.0).
struct DLDevice {
  std::int32_t device_type;  // DLDeviceType
  std::int32_t device_id;
};
struct DLDataType {
  std::uint8_t code;
  std::uint8_t bits;
  std::uint16_t lanes;
};
struct DLTensor {
  void* data;
  DLDevice device;
  std::int32_t ndim;
  DLDataType dtype;
  std::int64_t* shape;
  std::int64_t* strides;
  std::uint64_t byte_offset;
};
struct DLManagedTensor {
  DLTensor dl_tensor;
  void* manager_ctx;
  void (*deleter)(DLManagedTensor* self);
};
struct DLPackVersion {
  std::uint32_t major;
  std::uint32_t minor;
};
struct DLManagedTensorVersioned {
  DLPackVersion version;
  void* manager_ctx;
  void (*deleter)(DLManagedTensorVersioned* self);
  std::uint64_t flags;
  DLTensor dl_tensor;
};
constexpr std::int32_t kDLCPU = 1, kDLCUDA = 2;
constexpr std::uint8_t kDLInt = 0, kDLUInt = 1, kDLFloat = 2;
constexpr std::uint64_t kReadOnly = 1ull << 0, kIsCopied = 1ull << 1;

// What a capsule's managed tensor owns: weft's tensor (its memory) and the shape arrays.
struct Export {
  backend::Tensor tensor;
  std::vector<std::int64_t> shape, strides;
  DLManagedTensor legacy{};
  DLManagedTensorVersioned versioned{};
};

DLDataType dl_dtype(backend::DType t) {
  switch (t) {
    case backend::DType::F32: return {kDLFloat, 32, 1};
    case backend::DType::F16: return {kDLFloat, 16, 1};
    case backend::DType::I32: return {kDLInt, 32, 1};
    case backend::DType::I64: return {kDLInt, 64, 1};
    case backend::DType::U64: return {kDLUInt, 64, 1};
    case backend::DType::U8: return {kDLUInt, 8, 1};
  }
  throw ValueError("DLPack: unknown dtype");
}

std::pair<int, int> dl_device(const backend::Device& d) { return {d.is_cpu() ? kDLCPU : kDLCUDA, d.is_cpu() ? 0 : d.index}; }

DLTensor dl_tensor(Export& e) {
  DLTensor t{};
  t.data = e.tensor.raw();
  const auto [type, id] = dl_device(e.tensor.device());
  t.device = {type, id};
  t.ndim = e.tensor.ndim();
  t.dtype = dl_dtype(e.tensor.dtype());
  t.shape = e.shape.data();
  t.strides = e.strides.data();  // weft tensors are contiguous and row-major
  t.byte_offset = 0;
  return t;
}

void delete_legacy(DLManagedTensor* self) { delete static_cast<Export*>(self->manager_ctx); }
void delete_versioned(DLManagedTensorVersioned* self) { delete static_cast<Export*>(self->manager_ctx); }

// A capsule nobody consumed frees its tensor; a consumed one ("used_...") belongs to its consumer.
void destroy_capsule(PyObject* capsule) {
  PyObject *type, *value, *trace;
  PyErr_Fetch(&type, &value, &trace);  // a destructor may run while an exception is set
  if (PyCapsule_IsValid(capsule, "dltensor_versioned")) {
    auto* m = static_cast<DLManagedTensorVersioned*>(PyCapsule_GetPointer(capsule, "dltensor_versioned"));
    if (m != nullptr && m->deleter != nullptr) m->deleter(m);
  } else if (PyCapsule_IsValid(capsule, "dltensor")) {
    auto* m = static_cast<DLManagedTensor*>(PyCapsule_GetPointer(capsule, "dltensor"));
    if (m != nullptr && m->deleter != nullptr) m->deleter(m);
  }
  PyErr_Restore(type, value, trace);
}

[[noreturn]] void buffer_error(const std::string& message) {
  PyErr_SetString(PyExc_BufferError, message.c_str());
  throw pyb::error_already_set();
}

// The (type, id) pair of a DLPack device argument.
std::pair<int, int> device_pair(const pyb::object& o) {
  const auto t = o.cast<pyb::tuple>();
  if (t.size() != 2) throw ValueError("dl_device must be a (device_type, device_id) pair");
  return {t[0].cast<int>(), t[1].cast<int>()};
}

}  // namespace

// A weft tensor seen from Python. `read_only`: consumers through DLPack 1.0 are told not to write.
struct PyTensor {
  backend::Tensor tensor;
  bool read_only = true;
};

pyb::object tensor_capsule(const PyTensor& self, const pyb::object& stream, const pyb::object& max_version,
                           const pyb::object& dl_device_arg, const pyb::object& copy) {
  backend::Tensor t = self.tensor;
  bool copied = false;
  const auto own = dl_device(t.device());
  if (!dl_device_arg.is_none() && device_pair(dl_device_arg) != own) {
    const auto want = device_pair(dl_device_arg);
    if (want.first != kDLCPU || copy.is_none() || !copy.cast<bool>())
      buffer_error("weft.Tensor on " + t.device().str() + " cannot be exported to DLPack device (" + std::to_string(want.first) +
                   ", " + std::to_string(want.second) + ") without a copy (copy=True exports a host copy)");
    t = t.to(backend::Device::cpu());
    copied = true;
  } else if (!copy.is_none() && copy.cast<bool>()) {
    t = t.clone();
    copied = true;
  }
  // weft's kernels run on the CUDA legacy default stream, which synchronizes with the blocking streams
  // a consumer names, and a Doc's tensor is complete once the pipeline has returned: no wait is needed.
  (void)stream;
  bool versioned = false;
  if (!max_version.is_none()) {
    const auto v = max_version.cast<pyb::tuple>();
    versioned = v.size() >= 1 && v[0].cast<int>() >= 1;
  }
  auto e = std::make_unique<Export>();
  e->tensor = t;
  e->shape = t.shape().dims();
  e->strides.assign(e->shape.size(), 1);
  for (int i = static_cast<int>(e->shape.size()) - 2; i >= 0; --i)
    e->strides[static_cast<std::size_t>(i)] = e->strides[static_cast<std::size_t>(i) + 1] * e->shape[static_cast<std::size_t>(i) + 1];
  PyObject* capsule = nullptr;
  if (versioned) {
    e->versioned.version = {1, 0};
    e->versioned.manager_ctx = e.get();
    e->versioned.deleter = delete_versioned;
    e->versioned.flags = (self.read_only && !copied ? kReadOnly : 0) | (copied ? kIsCopied : 0);
    e->versioned.dl_tensor = dl_tensor(*e);
    capsule = PyCapsule_New(&e->versioned, "dltensor_versioned", destroy_capsule);
  } else {
    e->legacy.manager_ctx = e.get();
    e->legacy.deleter = delete_legacy;
    e->legacy.dl_tensor = dl_tensor(*e);
    capsule = PyCapsule_New(&e->legacy, "dltensor", destroy_capsule);
  }
  if (capsule == nullptr) throw pyb::error_already_set();
  (void)e.release();  // the capsule (then its consumer) owns it
  return pyb::reinterpret_steal<pyb::object>(capsule);
}

// doc.tensor: a read-only NumPy view of the tensor on the CPU (made through DLPack, so it shares the
// Doc's memory and keeps it alive), the weft.Tensor itself on a GPU; spaCy's empty float32 array when
// the Doc has none.
pyb::object doc_tensor(const Doc& d) {
  const backend::Tensor* t = d.tensor();
  pyb::module_ np = pyb::module_::import("numpy");
  if (t == nullptr) return np.attr("zeros")(pyb::make_tuple(0), "float32");
  pyb::object wrapped = pyb::cast(PyTensor{*t, true});
  if (!t->device().is_cpu()) return wrapped;
  return np.attr("from_dlpack")(wrapped);
}

pyb::object doc_weft_tensor(const Doc& d) {
  const backend::Tensor* t = d.tensor();
  return t == nullptr ? pyb::none() : pyb::cast(PyTensor{*t, true});
}

void set_doc_tensor(Doc& d, const pyb::object& value) {
  if (value.is_none()) {
    d.clear_tensor();
    return;
  }
  if (pyb::isinstance<PyTensor>(value)) {
    d.set_tensor(value.cast<const PyTensor&>().tensor);
    return;
  }
  pyb::module_ np = pyb::module_::import("numpy");
  const auto arr = pyb::array_t<float, pyb::array::c_style | pyb::array::forcecast>::ensure(np.attr("asarray")(value));
  if (!arr) throw ValueError("doc.tensor: expected an array of numbers");
  if (arr.size() == 0) {
    d.clear_tensor();
    return;
  }
  if (arr.ndim() != 2) throw ValueError("doc.tensor: expected a 2-D array (tokens, width), got " + std::to_string(arr.ndim()) + "-D");
  const backend::Shape shape{arr.shape(0), arr.shape(1)};
  d.set_tensor(backend::Tensor::from_host(arr.data(), static_cast<std::size_t>(arr.size()) * sizeof(float), shape,
                                          backend::DType::F32, backend::Device::cpu()));
}

namespace {

const char* numpy_dtype(backend::DType t) {
  switch (t) {
    case backend::DType::F32: return "float32";
    case backend::DType::F16: return "float16";
    case backend::DType::I32: return "int32";
    case backend::DType::I64: return "int64";
    case backend::DType::U64: return "uint64";
    case backend::DType::U8: return "uint8";
  }
  return "?";
}

// A host copy of a tensor as a NumPy array of its own.
pyb::object to_numpy(const backend::Tensor& t) {
  pyb::module_ np = pyb::module_::import("numpy");
  pyb::tuple shape(t.ndim());
  for (int i = 0; i < t.ndim(); ++i) shape[static_cast<std::size_t>(i)] = pyb::int_(t.dim(i));
  auto out = np.attr("empty")(shape, numpy_dtype(t.dtype())).cast<pyb::array>();
  if (t.numel() > 0) t.copy_to_host(out.mutable_data());
  return out;
}

pyb::dict tensors_dict(const std::vector<std::pair<std::string, backend::Tensor>>& ts) {
  pyb::dict d;
  for (const auto& [name, t] : ts) d[pyb::str(name)] = to_numpy(t);
  return d;
}

}  // namespace

void register_interop(pyb::module_& m) {
  pyb::class_<PyTensor>(m, "Tensor",
                        "A tensor of weft's backend (the CPU's or a GPU's memory), for other libraries through DLPack: "
                        "numpy.from_dlpack, torch.from_dlpack and cupy.from_dlpack take it without a copy")
      .def_property_readonly("shape",
                             [](const PyTensor& t) {
                               pyb::tuple s(t.tensor.ndim());
                               for (int i = 0; i < t.tensor.ndim(); ++i) s[static_cast<std::size_t>(i)] = pyb::int_(t.tensor.dim(i));
                               return s;
                             })
      .def_property_readonly("dtype", [](const PyTensor& t) { return std::string(numpy_dtype(t.tensor.dtype())); })
      .def_property_readonly("device", [](const PyTensor& t) { return t.tensor.device().str(); })
      .def_property_readonly("ndim", [](const PyTensor& t) { return t.tensor.ndim(); })
      .def("__len__", [](const PyTensor& t) { return t.tensor.ndim() == 0 ? 0 : t.tensor.dim(0); })
      .def(
          "__getitem__",
          [](const PyTensor& t, const pyb::object& key) -> pyb::object {
            // Rows: an index (one row, one dimension less) or a slice of step 1 (a view).
            const std::int64_t n = t.tensor.ndim() == 0 ? 0 : t.tensor.dim(0);
            if (pyb::isinstance<pyb::slice>(key)) {
              pyb::ssize_t start = 0, stop = 0, step = 0, len = 0;
              if (!key.cast<pyb::slice>().compute(static_cast<pyb::ssize_t>(n), &start, &stop, &step, &len))
                throw pyb::error_already_set();
              if (step != 1) throw ValueError("weft.Tensor: only slices of step 1 (views of rows)");
              return pyb::cast(PyTensor{t.tensor.rows(static_cast<std::int64_t>(start), static_cast<std::int64_t>(start + len)), t.read_only});
            }
            std::int64_t i = key.cast<std::int64_t>();
            if (i < 0) i += n;
            if (i < 0 || i >= n) throw IndexError("weft.Tensor: row " + std::to_string(i) + " out of range for " + std::to_string(n) + " rows");
            std::vector<std::int64_t> dims = t.tensor.shape().dims();
            dims.erase(dims.begin());
            return pyb::cast(PyTensor{t.tensor.rows(i, i + 1).reshape(backend::Shape(dims)), t.read_only});
          })
      .def("__dlpack__", &tensor_capsule, pyb::kw_only(), pyb::arg("stream") = pyb::none(), pyb::arg("max_version") = pyb::none(),
           pyb::arg("dl_device") = pyb::none(), pyb::arg("copy") = pyb::none(),
           "A DLPack capsule sharing this tensor's memory (DLPack 1.0, read-only, when max_version >= (1, 0))")
      .def("__dlpack_device__", [](const PyTensor& t) { return pyb::make_tuple(dl_device(t.tensor.device()).first, dl_device(t.tensor.device()).second); },
           "(device type, device id): (1, 0) for the CPU (kDLCPU), (2, N) for cuda:N (kDLCUDA)")
      .def("numpy", [](const PyTensor& t) { return to_numpy(t.tensor); }, "A copy in host memory, as a NumPy array")
      .def("__array__",
           [](const PyTensor& t, const pyb::object& dtype, const pyb::object&) {
             pyb::object a = to_numpy(t.tensor);
             return dtype.is_none() ? a : a.attr("astype")(dtype);
           },
           pyb::arg("dtype") = pyb::none(), pyb::arg("copy") = pyb::none())
      .def("__repr__", [](const PyTensor& t) {
        return "weft.Tensor(shape=" + t.tensor.shape().str() + ", dtype=" + numpy_dtype(t.tensor.dtype()) + ", device=" +
               t.tensor.device().str() + ")";
      });

  m.def(
      "_export_onnx",
      [](const Pipeline& nlp, const std::string& dir) {
        Json manifest;
        {
          pyb::gil_scoped_release release;
          manifest = interop::export_onnx(nlp, dir);
        }
        return pyb::module_::import("json").attr("loads")(manifest.dump());
      },
      pyb::arg("nlp"), pyb::arg("dir"), "Writes the pipeline's networks as ONNX files with manifest.json; returns the manifest");
  m.def(
      "_trace_networks",
      [](const Pipeline& nlp, const pyb::list& texts) {
        std::vector<std::string> items;
        for (const pyb::handle& t : texts) items.push_back(t.cast<std::string>());
        std::vector<interop::NetworkTrace> traces;
        {
          pyb::gil_scoped_release release;
          std::vector<Doc> docs;
          docs.reserve(items.size());
          for (std::string& t : items) docs.push_back(nlp.make_doc(std::move(t)));
          traces = interop::trace_networks(nlp, docs);
        }
        pyb::dict out;
        for (const interop::NetworkTrace& tr : traces) {
          pyb::dict net;
          net["inputs"] = tensors_dict(tr.inputs);
          net["outputs"] = tensors_dict(tr.outputs);
          out[pyb::str(tr.network)] = net;
        }
        return out;
      },
      pyb::arg("nlp"), pyb::arg("texts"),
      "Annotates the texts (f32 products, the networks' layers) and returns, per exported network, the inputs weft fed it "
      "and its outputs as NumPy arrays");
}

}  // namespace weft::py
