// weft evaluate: scores a pipeline (a model folder or a language code) against gold CoNLL-U with the
// CoNLL 2018 shared-task metrics, plus entity P/R/F when the pipeline predicts entities. With gold
// tokenization the pipeline annotates the gold words (its sentence-only components switched off);
// with --raw it processes the raw text (whole documents, or each gold sentence with --unit sentence),
// with the sentencizer added first when it has no segmenter, and words are aligned by characters.
#include <cstdio>
#include <iostream>
#include <optional>
#include <span>
#include <vector>

#include "cli/commands.hpp"
#include "cli/python.hpp"
#include "cli/common.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/train/conll18.hpp"
#include "weft/train/entity_scorer.hpp"
#include "weft/train/trainer.hpp"

namespace weft::cli {

namespace {

Json scores_json(const Conll18Scores& scores) {
  Json out = Json::object();
  for (const std::string& name : conll18_metric_names()) {
    auto it = scores.find(name);
    if (it == scores.end()) continue;
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
  return out;
}

// Entity scores as fractions (0..1), like the CoNLL 2018 entries and spaCy's ents_p / ents_r / ents_f.
void add_entity_json(const EntityScores& ents, Json& out) {
  out["ENTS_P"] = ents.total.precision;
  out["ENTS_R"] = ents.total.recall;
  out["ENTS_F"] = ents.total.f1;
  Json per_type = Json::object();
  for (const auto& [label, s] : ents.per_type) {
    Json t = Json::object();
    t["p"] = s.precision;
    t["r"] = s.recall;
    t["f"] = s.f1;
    per_type[label] = t;
  }
  out["ENTS_PER_TYPE"] = per_type;
}

std::string entity_table(const EntityScores& ents) {
  std::string out =
      "Entities   | Precision |    Recall |  F1 Score |      Gold |    System\n"
      "-----------+-----------+-----------+-----------+-----------+-----------\n";
  char line[256];
  auto row = [&](const std::string& name, const EntityScore& s) {
    std::snprintf(line, sizeof line, "%-11s|%10.2f |%10.2f |%10.2f |%10zu |%10zu\n", name.c_str(), 100 * s.precision,
                  100 * s.recall, 100 * s.f1, s.gold, s.system);
    out += line;
  };
  row("ALL", ents.total);
  for (const auto& [label, s] : ents.per_type) row(label, s);
  return out;
}
}  // namespace

Run add_evaluate(CLI::App& app) {
  struct Opts {
    std::string model;
    std::string data;
    bool raw = false;
    std::string unit = "document";
    bool json = false;
    PipelineOptions pipeline;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("evaluate", "Score a pipeline on gold CoNLL-U (CoNLL 2018 shared-task metrics)");
  cmd->add_option("model", o->model,
                  "The pipeline: a model folder (from weft train), or a language code for the blank pipeline "
                  "(tokenizer + sentencizer)")
      ->required();
  cmd->add_option("data", o->data, "Gold CoNLL-U file")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--raw", o->raw, "Process the raw text end to end (tokenization and segmentation included)");
  cmd->add_option("--unit", o->unit,
                  "With --raw: process each gold document's text, or each gold sentence's text (# text)")
      ->check(CLI::IsMember({"document", "sentence"}))
      ->capture_default_str();
  cmd->add_flag("--json", o->json,
                "Print one JSON object keyed by the CoNLL 2018 metric names (precision, recall, f1, "
                "aligned_accuracy: 0..1), plus ENTS_P, ENTS_R, ENTS_F and ENTS_PER_TYPE (percent) when the "
                "pipeline predicts entities");
  cmd->add_option("--tokenizer", o->pipeline.tokenizer, "Replace the pipeline's tokenizer: a registry name or a tokenizer.json file");

  add_code_option(*cmd);

  return [o]() -> int {
    prepare_code();
    Pipeline nlp = load_model(o->model);
    set_tokenizer_option(nlp, o->pipeline.tokenizer);
    const std::vector<Doc> gold = read_conllu_file(o->data, nlp.vocab());
    Conll18Scores scores;
    PredictedAnnotations predicted;
    std::vector<Doc> system;
    if (o->raw) {
      ensure_segmenter(nlp);
      auto process = [&](std::string text) {
        Doc d = nlp(std::move(text));
        predicted.add(d);
        system.push_back(d);
        return d;
      };
      scores = o->unit == "sentence" ? conll18_evaluate_sentences(gold, process)
                                     : conll18_evaluate_documents(gold, process);
    } else {
      system.reserve(gold.size());
      for (const Doc& g : gold) system.push_back(strip_annotations(g));
      // Gold sentence boundaries are part of the input here; sentence-only components are left out.
      disable_segmenters(nlp);
      nlp.annotate(std::span<Doc>(system));
      for (const Doc& d : system) predicted.add(d);
      scores = conll18_evaluate(gold, system);
    }
    predicted.filter(scores);
    std::optional<EntityScores> ents;
    if (predicted.ents) ents = score_entities(gold, system);
    if (o->json) {
      Json out = scores_json(scores);
      if (ents) add_entity_json(*ents, out);
      std::cout << out.dump(2) << '\n';
    } else {
      std::cout << conll18_table(scores);
      if (ents) std::cout << '\n' << entity_table(*ents);
    }
    return 0;
  };
}

}  // namespace weft::cli
