// Trained pipelines from Python: weft.load / nlp.to_disk (model_io.hpp), nlp.meta and nlp.config,
// nlp.evaluate (the CoNLL 2018 scorer on gold Docs, with spaCy's score names added), weft.train
// (trainer.hpp, its progress table written to a Python file object) and weft.read_conllu. Everything
// that runs for a while runs with the GIL released.
#include <pybind11/stl.h>
#include <pybind11/stl/filesystem.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <optional>
#include <ostream>
#include <streambuf>

#include "bindings.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"
#include "weft/train/evaluate.hpp"
#include "weft/train/trainer.hpp"

namespace weft::py {

pyb::object py_from_json(const Json& j) { return pyb::module_::import("json").attr("loads")(j.dump()); }

Json json_from_py(const pyb::handle& obj) {
  pyb::object builtins_str = pyb::module_::import("builtins").attr("str");
  const std::string text = pyb::module_::import("json").attr("dumps")(obj, pyb::arg("default") = builtins_str).cast<std::string>();
  return Json::parse(text);
}

namespace {

// A streambuf that hands complete lines to a Python file object (sys.stdout by default), taking the
// GIL for each write, so the trainer's table appears as it is written even though train() runs with
// the GIL released. Errors raised by the file object are reported as unraisable, never thrown into
// the C++ training loop.
class PyLineBuf : public std::streambuf {
 public:
  explicit PyLineBuf(pyb::object file) : file_(std::move(file)) {}
  PyLineBuf(const PyLineBuf&) = delete;
  PyLineBuf& operator=(const PyLineBuf&) = delete;
  ~PyLineBuf() override = default;  // destroyed with the GIL held (see bind_train)

 protected:
  int_type overflow(int_type c) override {
    if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::not_eof(c);
    pending_ += traits_type::to_char_type(c);
    if (c == '\n') emit();
    return c;
  }
  std::streamsize xsputn(const char* s, std::streamsize n) override {
    pending_.append(s, static_cast<std::size_t>(n));
    if (pending_.find('\n') != std::string::npos) emit();
    return n;
  }
  int sync() override {
    emit();
    return 0;
  }

 private:
  void emit() {
    if (pending_.empty()) return;
    pyb::gil_scoped_acquire gil;
    PyObject* text = PyUnicode_DecodeUTF8(pending_.data(), static_cast<Py_ssize_t>(pending_.size()), "replace");
    pending_.clear();
    if (!text) {
      PyErr_Clear();
      return;
    }
    try {
      file_.attr("write")(pyb::reinterpret_steal<pyb::str>(text));
      if (pyb::hasattr(file_, "flush")) file_.attr("flush")();
    } catch (pyb::error_already_set& e) {
      e.discard_as_unraisable("weft.train log");
    }
  }

  pyb::object file_;
  std::string pending_;
};


pyb::dict evaluate_py(const Pipeline& nlp, const std::vector<std::shared_ptr<Doc>>& examples, std::size_t batch_size) {
  for (const auto& d : examples)
    if (!d) throw weft::ValueError("nlp.evaluate: None is not a Doc");
  std::vector<Doc> gold;
  gold.reserve(examples.size());
  for (const auto& d : examples) gold.push_back(*d);
  Evaluation e;
  {
    pyb::gil_scoped_release release;
    e = evaluate(nlp, gold, batch_size);
  }
  const Conll18Scores scores = e.reported();
  const std::optional<EntityScores>& ents = e.ents;

  pyb::dict out;
  auto find = [&](const char* name) -> const Conll18Score* {
    auto it = scores.find(name);
    return it == scores.end() ? nullptr : &it->second;
  };
  auto acc = [](const Conll18Score& s) { return s.aligned_accuracy.value_or(s.f1); };
  // spaCy's names (Scorer: token_*, sents_*, pos_acc, tag_acc, morph_acc, lemma_acc, dep_*), 0..1.
  if (const auto* s = find("Tokens")) {
    out["token_acc"] = s->f1;
    out["token_p"] = s->precision;
    out["token_r"] = s->recall;
    out["token_f"] = s->f1;
  }
  if (const auto* s = find("Sentences")) {
    out["sents_p"] = s->precision;
    out["sents_r"] = s->recall;
    out["sents_f"] = s->f1;
  }
  if (const auto* s = find("UPOS")) out["pos_acc"] = acc(*s);
  if (const auto* s = find("XPOS")) out["tag_acc"] = acc(*s);
  if (const auto* s = find("UFeats")) out["morph_acc"] = acc(*s);
  if (const auto* s = find("Lemmas")) out["lemma_acc"] = acc(*s);
  if (const auto* s = find("UAS")) out["dep_uas"] = acc(*s);
  if (const auto* s = find("LAS")) out["dep_las"] = acc(*s);
  if (ents) {
    // spaCy's ents_p / ents_r / ents_f and ents_per_type {label: {"p", "r", "f"}}.
    out["ents_p"] = ents->total.precision;
    out["ents_r"] = ents->total.recall;
    out["ents_f"] = ents->total.f1;
    pyb::dict per_type;
    for (const auto& [label, e] : ents->per_type) {
      pyb::dict t;
      t["p"] = e.precision;
      t["r"] = e.recall;
      t["f"] = e.f1;
      per_type[pyb::str(label)] = t;
    }
    out["ents_per_type"] = per_type;
  }
  out["speed"] = e.seconds > 0.0 ? static_cast<double>(e.words) / e.seconds : 0.0;
  // The CoNLL 2018 shared-task names, in the script's order.
  for (const std::string& name : conll18_metric_names()) {
    const auto* s = find(name.c_str());
    if (!s) continue;
    pyb::dict m;
    m["precision"] = s->precision;
    m["recall"] = s->recall;
    m["f1"] = s->f1;
    m["aligned_accuracy"] = s->aligned_accuracy ? pyb::cast(*s->aligned_accuracy) : pyb::none();
    m["gold"] = s->gold_total;
    m["system"] = s->system_total;
    m["correct"] = s->correct;
    out[pyb::str(name)] = m;
  }
  return out;
}

pyb::dict train_py(const pyb::object& config, const std::map<std::string, std::string>& overrides,
                   const std::optional<std::filesystem::path>& output, const pyb::object& log) {
  const Json resolved = resolve_training_config(json_from_py(config), overrides);
  std::optional<PyLineBuf> buf;
  std::optional<std::ostream> stream;
  TrainOptions options;
  if (output) options.output = *output;
  if (!log.is_none()) {
    buf.emplace(log);
    stream.emplace(&*buf);
    options.log = &*stream;
  }
  TrainResult r;
  {
    pyb::gil_scoped_release release;
    try {
      r = train(resolved, options);
    } catch (...) {
      if (stream) stream->flush();
      throw;
    }
    if (stream) stream->flush();
  }
  pyb::dict out;
  out["best_score"] = r.best_score;
  out["best_scores"] = py_from_json(r.best_scores);
  out["best_step"] = r.best_step;
  out["steps"] = r.steps;
  out["seconds"] = r.seconds;
  out["words_per_second"] = r.words_per_second;
  pyb::list history;
  for (const Json& h : r.history) history.append(py_from_json(h));
  out["history"] = history;
  return out;
}

}  // namespace

void register_training(pyb::module_& m) {
  m.def(
      "load",
      [](const std::filesystem::path& path) {
        std::optional<Pipeline> p;
        {
          pyb::gil_scoped_release release;
          p.emplace(weft::load(path));
        }
        return std::make_shared<Pipeline>(std::move(*p));
      },
      pyb::arg("path"), "Loads a model folder (config.json, meta.json, tokenizer.json, component folders)");
  m.def(
      "read_conllu",
      [](const std::filesystem::path& path, std::shared_ptr<Vocab> vocab, const std::string& unit) {
        ConlluReadOptions options;
        if (unit == "sentence")
          options.group = ConlluReadOptions::Group::Sentence;
        else if (unit != "document")
          throw weft::ValueError("read_conllu: unit must be \"document\" or \"sentence\", got \"" + unit + "\"");
        if (!vocab) vocab = std::make_shared<Vocab>();
        std::vector<Doc> docs;
        {
          pyb::gil_scoped_release release;
          docs = read_conllu_file(path.string(), vocab, options);
        }
        pyb::list out;
        for (Doc& d : docs) out.append(std::make_shared<Doc>(std::move(d)));
        return out;
      },
      pyb::arg("path"), pyb::arg("vocab") = pyb::none(), pyb::arg("unit") = "document",
      "Reads a CoNLL-U file into gold Docs, one per document (# newdoc) or one per sentence");
  m.def("default_training_config", [] { return py_from_json(default_training_config()); });
  m.def(
      "resolve_training_config",
      [](const pyb::object& config, const std::map<std::string, std::string>& overrides) {
        return py_from_json(resolve_training_config(json_from_py(config), overrides));
      },
      pyb::arg("config"), pyb::arg("overrides") = std::map<std::string, std::string>{});
  m.def("train", &train_py, pyb::arg("config"), pyb::arg("overrides"), pyb::arg("output") = pyb::none(),
        pyb::arg("log") = pyb::none(),
        "Trains the pipeline a config describes (GIL released); `log` is a file object for the progress table");
  m.def("conll18_metric_names", &conll18_metric_names);
}

void bind_pipeline_model(pyb::class_<Pipeline, std::shared_ptr<Pipeline>>& cls) {
  cls.def_property_readonly("meta", [](const Pipeline& p) { return py_from_json(p.meta()); })
      .def("set_meta", [](Pipeline& p, const pyb::object& meta) { p.set_meta(json_from_py(meta)); })
      .def_property_readonly("nlp_config", [](const Pipeline& p) { return py_from_json(p.nlp_config()); })
      .def_property_readonly("components_config", [](const Pipeline& p) { return py_from_json(p.components_config()); })
      .def(
          "to_disk",
          [](const Pipeline& p, const std::filesystem::path& path, const pyb::object& config, const pyb::object& meta) {
            const Json c = config.is_none() ? Json::object() : json_from_py(config);
            const Json mt = meta.is_none() ? p.meta() : json_from_py(meta);
            pyb::gil_scoped_release release;
            save_pipeline(p, path, c, mt);
          },
          pyb::arg("path"), pyb::arg("config") = pyb::none(), pyb::arg("meta") = pyb::none(),
          "Writes the model folder (save_pipeline); `config` adds the sections beyond nlp/components")
      .def("evaluate", &evaluate_py, pyb::arg("examples"), pyb::arg("batch_size") = 256,
           "Scores the pipeline on gold Docs (gold words and sentences; segmenters left out), GIL released");
}

}  // namespace weft::py
