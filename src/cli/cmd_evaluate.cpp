// weft evaluate: scores a pipeline (a model folder or a language code) against gold CoNLL-U with the
// CoNLL 2018 shared-task metrics, plus entity P/R/F when the pipeline predicts entities. With gold
// tokenization the pipeline annotates the gold words (its sentence-only components switched off);
// with --raw it processes the raw text (whole documents, or each gold sentence with --unit sentence),
// with the sentencizer added first when it has no segmenter, and words are aligned by characters.
#include <cstdio>
#include <iostream>
#include <vector>

#include "cli/commands.hpp"
#include "cli/python.hpp"
#include "cli/common.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/progress.hpp"
#include "weft/train/evaluate.hpp"

namespace weft::cli {

namespace {

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
    int progress = 0;
    PipelineOptions pipeline;
    std::string device = "cpu";
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
                "aligned_accuracy: 0..1), plus ENTS_P, ENTS_R, ENTS_F and ENTS_PER_TYPE (0..1) when the "
                "pipeline predicts entities");
  cmd->add_option("--tokenizer", o->pipeline.tokenizer, "Replace the pipeline's tokenizer: a registry name or a tokenizer.json file");

  add_device_option(*cmd, o->device);
  add_progress_option(*cmd, o->progress);
  add_code_option(*cmd);

  return [o]() -> int {
    prepare_code();
    const backend::Device device = device_option(o->device);
    Pipeline nlp = load_model(o->model);
    nlp.to(device);
    set_tokenizer_option(nlp, o->pipeline.tokenizer);
    const std::vector<Doc> gold = read_conllu_file(o->data, nlp.vocab());
    if (o->raw) ensure_segmenter(nlp);
    // Progress in gold words: the share of the gold words the annotated Docs cover (raw text: the
    // words of the Docs made, which come near the gold ones).
    std::unique_ptr<Progress> progress;
    EvaluateProgress on_progress;
    if (progress_wanted(o->progress)) {
      std::uint64_t gold_words = 0;
      for (const Doc& g : gold) gold_words += g.size();
      progress = std::make_unique<Progress>("weft evaluate", gold_words, "words");
      on_progress = [&progress](std::size_t docs, std::size_t words) {
        progress->set_position(progress->words() + words);
        progress->add(docs, words);
      };
    }
    const Evaluation e = o->raw ? evaluate_raw(nlp, gold, o->unit == "sentence", on_progress)
                                : evaluate(nlp, gold, device.is_cpu() ? 256 : kDeviceBatchSize, on_progress);
    if (progress) progress->finish();
    if (o->json) {
      std::cout << e.to_json().dump(2) << '\n';
    } else {
      std::cout << conll18_table(e.reported());
      if (e.ents) std::cout << '\n' << entity_table(*e.ents);
    }
    return 0;
  };
}

}  // namespace weft::cli
