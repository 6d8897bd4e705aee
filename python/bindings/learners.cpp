// Components learnt from gold Docs without a network, from Python: `tagger =
// nlp.add_pipe("weft.PerceptronTagger.v1")` or `nlp.add_pipe("weft.CRFEntityRecognizer.v1")` (or
// get_pipe) gives these views, Components with learn(docs, n_iter=5, seed=0) (NLTK's train(sentences,
// nr_iter)) and what they learnt (labels, n_features, summary).
#include <pybind11/stl.h>

#include "bindings.hpp"
#include "weft/error.hpp"
#include "weft/components/crf/crf_entity_recognizer.hpp"
#include "weft/components/perceptron/perceptron_tagger.hpp"
#include "weft/train/trainer.hpp"

namespace weft::py {

namespace {

struct PyLearner : PyComponentView {};
struct PyPerceptronTagger : PyLearner {};
struct PyCRF : PyLearner {};

GoldLearner& learner_of(const PyLearner& v) { return *as_gold_learner(*v.component); }
PerceptronTagger& perceptron_of(const PyPerceptronTagger& v) { return dynamic_cast<PerceptronTagger&>(*v.component); }
CRFEntityRecognizer& crf_of(const PyCRF& v) { return dynamic_cast<CRFEntityRecognizer&>(*v.component); }

}  // namespace

void register_learners(pyb::module_& m) {
  pyb::class_<PyLearner, PyComponentView>(m, "GoldLearner")
      .def(
          "learn",
          [](const PyLearner& v, const std::vector<std::shared_ptr<Doc>>& docs, int n_iter, std::uint64_t seed) {
            std::vector<Doc> gold;
            gold.reserve(docs.size());
            for (const auto& d : docs) {
              if (!d) throw weft::ValueError("learn: None is not a Doc");
              gold.push_back(*d);
            }
            std::vector<double> losses;
            {
              pyb::gil_scoped_release release;
              losses = learn_from_gold(learner_of(v), gold, n_iter, seed);
            }
            return losses;
          },
          pyb::arg("docs"), pyb::arg("n_iter") = 5, pyb::arg("seed") = 0,
          "Learns from annotated Docs (one sentence or more each; weft.read_conllu gives them): n_iter passes, "
          "shuffled after each, then the averaged weights (NLTK's train(sentences, nr_iter)); starts over. "
          "Returns each pass's loss")
      .def_property_readonly("summary", [](const PyLearner& v) { return learner_of(v).learnt_summary(); });
  pyb::class_<PyPerceptronTagger, PyLearner>(m, "PerceptronTagger")
      .def_property_readonly(
          "labels",
          [](const PyPerceptronTagger& v) {
            pyb::dict out;
            for (const auto& [head, labels] : perceptron_of(v).labels()) out[pyb::str(head)] = labels;
            return out;
          },
          "The labels per head: {\"pos\": [UPOS...], \"tag\": [XPOS...]}")
      .def_property_readonly("n_features", [](const PyPerceptronTagger& v) { return perceptron_of(v).n_features(); },
                             "Features with a non-zero averaged weight")
      .def_property_readonly("n_weights", [](const PyPerceptronTagger& v) { return perceptron_of(v).n_weights(); },
                             "Non-zero averaged weights");
  pyb::class_<PyCRF, PyLearner>(m, "CRFEntityRecognizer")
      .def_property_readonly("labels", [](const PyCRF& v) { return crf_of(v).labels(); }, "The entity labels")
      .def_property_readonly("tags", [](const PyCRF& v) { return crf_of(v).tags(); },
                             "The tags: \"O\", then B-, I-, L-, U- (BIO: B-, I-) per label")
      .def_property_readonly("n_features", [](const PyCRF& v) { return crf_of(v).n_features(); },
                             "Features with weights");

  add_component_view([](const PyComponentView& v) -> pyb::object {
    if (dynamic_cast<PerceptronTagger*>(v.component.get())) return pyb::cast(PyPerceptronTagger{v});
    if (dynamic_cast<CRFEntityRecognizer*>(v.component.get())) return pyb::cast(PyCRF{v});
    if (as_gold_learner(*v.component)) return pyb::cast(PyLearner{v});
    return pyb::none();
  });
}

}  // namespace weft::py
