// The native Pipeline behind weft.Language (python/weft/language.py): calling it, batch processing
// with the GIL released, the tokenizer (bound in tokenizer.cpp) and component management. Python callables can
// serve as tokenizers and components through the registry (registry.cpp).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/pipe_workers.hpp"
#include "weft/pipeline/pipeline.hpp"

namespace weft::py {

namespace {
std::vector<std::function<pyb::object(const PyComponentView&)>>& view_makers() {
  static std::vector<std::function<pyb::object(const PyComponentView&)>> makers;
  return makers;
}

// The view add_pipe and get_pipe return: a component's own (the EntityRuler's), else the generic one.
pyb::object component_view(PyComponentView view) {
  for (const auto& make : view_makers())
    if (pyb::object v = make(view); !v.is_none()) return v;
  return pyb::cast(std::move(view));
}

std::shared_ptr<Doc> share(Doc&& d) { return std::make_shared<Doc>(std::move(d)); }

std::string opt(const std::optional<std::string>& s) { return s.value_or(""); }

// nlp.pipe's worker threads (weft.Language keeps one per thread count, across pipe calls) and one
// pipe call's stream of batches through them. Both hold what they use alive (the pipeline, the
// workers); their destructors release the GIL while they wait, since a worker running a Python
// component needs it.
struct PyPipeWorkers {
  std::shared_ptr<Pipeline> nlp;
  std::unique_ptr<PipeWorkers> workers;
  PyPipeWorkers(std::shared_ptr<Pipeline> p, int n_threads)
      : nlp(std::move(p)), workers(std::make_unique<PipeWorkers>(*nlp, n_threads)) {}
  ~PyPipeWorkers() {
    pyb::gil_scoped_release release;
    workers.reset();
  }
};

struct PyPipeStream {
  std::shared_ptr<PyPipeWorkers> owner;
  std::unique_ptr<PipeWorkers::Stream> stream;
  explicit PyPipeStream(std::shared_ptr<PyPipeWorkers> w)
      : owner(std::move(w)), stream(std::make_unique<PipeWorkers::Stream>(*owner->workers)) {}
  ~PyPipeStream() { close(); }
  void close() {
    if (!stream) return;
    pyb::gil_scoped_release release;
    stream.reset();
  }
  PipeWorkers::Stream& open() const {
    if (!stream) throw weft::ValueError("this pipe stream is closed");
    return *stream;
  }
};

pyb::list doc_list(std::vector<Doc>&& docs) {
  pyb::list out;
  for (Doc& d : docs) out.append(share(std::move(d)));
  return out;
}
}  // namespace

void add_component_view(std::function<pyb::object(const PyComponentView&)> maker) {
  view_makers().push_back(std::move(maker));
}

void register_pipeline(pyb::module_& m) {
  pyb::class_<PyComponentView>(m, "Component")
      .def_property_readonly("name", [](const PyComponentView& c) { return c.component->name(); })
      .def_property_readonly("factory_name", [](const PyComponentView& c) { return c.component->factory_name(); })
      .def_property_readonly("config",
                             [](const PyComponentView& c) {
                               return pyb::module_::import("json").attr("loads")(c.component->config().dump());
                             })
      .def("__call__",
           [](const PyComponentView& c, std::shared_ptr<Doc> doc) {
             {
               pyb::gil_scoped_release release;
               (*c.component)(*doc);
             }
             return doc;
           })
      .def("__eq__",
           [](const PyComponentView& a, const pyb::object& b) {
             return pyb::isinstance<PyComponentView>(b) && a.component == b.cast<const PyComponentView&>().component;
           })
      .def("__hash__", [](const PyComponentView& c) { return std::hash<const void*>()(c.component.get()); })
      .def("__repr__", [](const PyComponentView& c) {
        return "<weft Component " + c.component->name() + " (" + c.component->factory_name() + ")>";
      });

  pyb::class_<PyPipeWorkers, std::shared_ptr<PyPipeWorkers>>(m, "PipeWorkers")
      .def(pyb::init<std::shared_ptr<Pipeline>, int>(), pyb::arg("pipeline"), pyb::arg("n_threads"))
      .def_property_readonly("threads", [](const PyPipeWorkers& w) { return w.workers->threads(); })
      .def("stream", [](std::shared_ptr<PyPipeWorkers> w) { return std::make_unique<PyPipeStream>(std::move(w)); });
  pyb::class_<PyPipeStream>(m, "PipeStream")
      .def(
          "submit",
          [](const PyPipeStream& s, const pyb::list& items) {
            std::vector<PipeInput> batch;
            batch.reserve(items.size());
            for (std::string& t : utf8_list_from_py(items)) batch.push_back(PipeInput{std::move(t), std::nullopt, {}});
            pyb::gil_scoped_release release;
            s.open().submit(std::move(batch));
          },
          "Queues a batch of texts for the workers")
      .def_property_readonly("in_flight", [](const PyPipeStream& s) { return s.open().in_flight(); })
      .def(
          "next",
          [](const PyPipeStream& s) {
            std::vector<Doc> docs;
            {
              pyb::gil_scoped_release release;
              docs = s.open().next();
            }
            return doc_list(std::move(docs));
          },
          "The next batch's Docs, in submission order (waits with the GIL released)")
      .def(
          "try_next",
          [](const PyPipeStream& s) -> pyb::object {
            std::optional<std::vector<Doc>> docs = s.open().try_next();
            if (!docs) return pyb::none();
            return doc_list(std::move(*docs));
          },
          "The next batch's Docs if done, else None")
      .def("close", &PyPipeStream::close, "Drops the queued batches and waits for those in progress");

  auto pipeline = pyb::class_<Pipeline, std::shared_ptr<Pipeline>>(m, "Pipeline");
  pipeline
      .def_static("blank", [](const std::string& lang) { return std::make_shared<Pipeline>(Pipeline::blank(lang)); })
      .def_property_readonly("lang", &Pipeline::lang)
      .def_property("max_length", &Pipeline::max_length, &Pipeline::set_max_length,
                    "The longest text (in characters) that __call__, make_doc and process_batch take; 0: no limit")
      .def_property("keep_tensors", &Pipeline::keep_tensors, &Pipeline::set_keep_tensors,
                    "Whether the tok2vec leaves its output on each Doc (doc.tensor); off by default")
      .def_property_readonly("vocab", &Pipeline::vocab)
      .def("to", [](Pipeline& p, const std::string& device) { p.to(backend::Device::parse(device)); }, pyb::arg("device"),
           "Moves the networks to a device (\"cpu\", \"cuda:N\"); ValueError naming CUDA when it is not available")
      .def_property_readonly("device", [](const Pipeline& p) { return p.device().str(); })
      .def_property_readonly("tokenizer", [](std::shared_ptr<Pipeline> p) { return PyTokenizerView{std::move(p)}; })
      .def("set_tokenizer",
           [](Pipeline& p, const pyb::dict& config) {
             const Json cfg = Json::parse(pyb::module_::import("json").attr("dumps")(config).cast<std::string>());
             p.set_tokenizer(make_tokenizer(cfg, p.vocab()));
           })
      .def("__call__",
           [](const Pipeline& p, const pyb::object& obj) {
             // A Doc (spaCy 3's nlp(doc)): annotated in place by every component, its tokens and
             // whatever is already set on it (entities from a rule, sentence starts) kept.
             if (pyb::isinstance<Doc>(obj)) {
               std::shared_ptr<Doc> doc = obj.cast<std::shared_ptr<Doc>>();
               pyb::gil_scoped_release release;
               p.annotate(*doc);
               return doc;
             }
             std::string text = utf8_from_py(obj);
             std::optional<Doc> doc;
             {
               pyb::gil_scoped_release release;
               doc.emplace(p(std::move(text)));
             }
             return share(std::move(*doc));
           })
      .def("make_doc",
           [](const Pipeline& p, const pyb::object& obj) {
             std::string text = utf8_from_py(obj);
             std::optional<Doc> doc;
             {
               pyb::gil_scoped_release release;
               doc.emplace(p.make_doc(std::move(text)));
             }
             return share(std::move(*doc));
           })
      .def(
          "process_batch",
          [](const Pipeline& p, const pyb::list& items, int n_threads, std::size_t batch_size) {
            const std::vector<std::string> texts = utf8_list_from_py(items);
            std::vector<Doc> docs;
            {
              pyb::gil_scoped_release release;
              docs = p.pipe(texts, PipeOptions{batch_size, n_threads});
            }
            return doc_list(std::move(docs));
          },
          pyb::arg("texts"), pyb::arg("n_threads") = 1, pyb::arg("batch_size") = 256,
          "Tokenizes and annotates a list of texts with the GIL released; returns the Docs in order")
      .def(
          "add_pipe",
          [](std::shared_ptr<Pipeline> p, const std::string& factory, const std::optional<std::string>& name,
             const std::optional<pyb::dict>& config, const std::optional<std::string>& before,
             const std::optional<std::string>& after) {
            Json cfg = Json::object();
            if (config) cfg = Json::parse(pyb::module_::import("json").attr("dumps")(*config).cast<std::string>());
            Component& c = p->add_pipe(factory, opt(name), cfg, opt(before), opt(after));
            return component_view(PyComponentView{p->get_pipe_ptr(c.name())});
          },
          pyb::arg("factory"), pyb::arg("name") = pyb::none(), pyb::arg("config") = pyb::none(),
          pyb::arg("before") = pyb::none(), pyb::arg("after") = pyb::none())
      .def("get_pipe",
           [](std::shared_ptr<Pipeline> p, const std::string& name) {
             return component_view(PyComponentView{p->get_pipe_ptr(name)});
           })
      .def("has_pipe", &Pipeline::has_pipe)
      .def("remove_pipe",
           [](std::shared_ptr<Pipeline> p, const std::string& name) {
             return component_view(PyComponentView{p->remove_pipe(name)});
           })
      .def(
          "replace_pipe",
          [](std::shared_ptr<Pipeline> p, const std::string& name, const std::string& factory,
             const std::optional<pyb::dict>& config) {
            Json cfg = Json::object();
            if (config) cfg = Json::parse(pyb::module_::import("json").attr("dumps")(*config).cast<std::string>());
            p->replace_pipe(name, factory, cfg);
            return component_view(PyComponentView{p->get_pipe_ptr(name)});
          },
          pyb::arg("name"), pyb::arg("factory"), pyb::arg("config") = pyb::none())
      .def("rename_pipe", &Pipeline::rename_pipe, pyb::arg("old_name"), pyb::arg("new_name"))
      .def("factory_of", &Pipeline::factory_of)
      .def("disable_pipe", &Pipeline::disable_pipe)
      .def("enable_pipe", &Pipeline::enable_pipe)
      .def_property_readonly("pipe_names", &Pipeline::pipe_names)
      .def_property_readonly("component_names", &Pipeline::component_names)
      .def_property_readonly("disabled", &Pipeline::disabled);
  bind_pipeline_model(pipeline);
}

}  // namespace weft::py
