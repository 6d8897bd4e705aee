#include "weft/train/evaluate.hpp"

#include <algorithm>
#include <chrono>
#include <span>

#include "weft/pipeline/pipeline.hpp"
#include "weft/train/trainer.hpp"

namespace weft {

namespace {

using Clock = std::chrono::steady_clock;

void finish(Evaluation& e, const std::vector<Doc>& gold, const std::vector<Doc>& system) {
  for (const Doc& d : system) e.predicted.add(d);
  if (e.predicted.ents) e.ents = score_entities(gold, system);
}

}  // namespace

Conll18Scores Evaluation::reported() const {
  Conll18Scores out = scores;
  predicted.filter(out);
  return out;
}

double Evaluation::value(const std::string& metric) const {
  if (metric == "ENTS_P") return ents ? ents->total.precision : 0.0;
  if (metric == "ENTS_R") return ents ? ents->total.recall : 0.0;
  if (metric == "ENTS_F") return ents ? ents->total.f1 : 0.0;
  const auto it = scores.find(metric);
  return it == scores.end() ? 0.0 : it->second.f1;
}

Json Evaluation::to_json() const {
  const Conll18Scores shown = reported();
  Json out = Json::object();
  for (const std::string& name : conll18_metric_names()) {
    const auto it = shown.find(name);
    if (it == shown.end()) continue;
    const Conll18Score& s = it->second;
    Json m = Json::object();
    m["precision"] = s.precision;
    m["recall"] = s.recall;
    m["f1"] = s.f1;
    if (s.aligned_accuracy) m["aligned_accuracy"] = *s.aligned_accuracy;
    m["gold"] = s.gold_total;
    m["system"] = s.system_total;
    m["correct"] = s.correct;
    out[name] = m;
  }
  if (ents) {
    out["ENTS_P"] = ents->total.precision;
    out["ENTS_R"] = ents->total.recall;
    out["ENTS_F"] = ents->total.f1;
    Json per_type = Json::object();
    for (const auto& [label, s] : ents->per_type) {
      Json t = Json::object();
      t["p"] = s.precision;
      t["r"] = s.recall;
      t["f"] = s.f1;
      per_type[label] = t;
    }
    out["ENTS_PER_TYPE"] = per_type;
  }
  return out;
}

Evaluation evaluate(const Pipeline& nlp, const std::vector<Doc>& gold, std::size_t batch_size,
                    const EvaluateProgress& progress) {
  Evaluation e;
  std::vector<Doc> system;
  system.reserve(gold.size());
  for (const Doc& g : gold) {
    system.push_back(strip_annotations(g, nlp.vocab()));
    e.words += g.size();
  }
  const auto t0 = Clock::now();
  const std::size_t step = std::max<std::size_t>(1, batch_size);
  for (std::size_t i = 0; i < system.size(); i += step) {
    const std::size_t n = std::min(step, system.size() - i);
    nlp.annotate_sentences(std::span<Doc>(system.data() + i, n));
    if (progress) {
      std::size_t words = 0;
      for (std::size_t k = i; k < i + n; ++k) words += system[k].size();
      progress(n, words);
    }
  }
  e.seconds = std::chrono::duration<double>(Clock::now() - t0).count();
  e.scores = conll18_evaluate(gold, system);
  finish(e, gold, system);
  return e;
}

Evaluation evaluate_raw(const Pipeline& nlp, const std::vector<Doc>& gold, bool per_sentence,
                        const EvaluateProgress& progress) {
  Evaluation e;
  for (const Doc& g : gold) e.words += g.size();
  std::vector<Doc> system;
  double seconds = 0.0;
  const auto process = [&](std::string text) {
    const auto t0 = Clock::now();
    Doc d = nlp(std::move(text));
    seconds += std::chrono::duration<double>(Clock::now() - t0).count();
    if (progress) progress(1, d.size());
    system.push_back(d);
    return d;
  };
  e.scores = per_sentence ? conll18_evaluate_sentences(gold, process) : conll18_evaluate_documents(gold, process);
  e.seconds = seconds;
  finish(e, gold, system);
  return e;
}

}  // namespace weft
