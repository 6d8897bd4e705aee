// weft evaluate: scores a pipeline against gold CoNLL-U with the CoNLL 2018 shared-task metrics.
// With gold tokenization the pipeline annotates the gold words; with --raw it processes the raw text
// (whole documents, or each gold sentence with --unit sentence) and words are aligned by characters.
#include <fmt/format.h>

#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/train/conll18.hpp"

namespace weft::cli {

namespace {
// A copy of a gold Doc keeping only what the pipeline gets as input: text, words, multi-word token
// links and sentence boundaries.
Doc strip_annotations(const Doc& gold) {
  Doc d(gold.vocab_ptr(), gold.text());
  for (std::size_t i = 0; i < gold.size(); ++i) {
    const TokenData& g = gold.data(i);
    TokenData& t = d.push_token_unchecked(g.idx, g.len, g.orth);
    t.flags = g.flags;
    t.sent_start = g.sent_start;
  }
  return d;
}

// The annotations a set of system Docs carries, to report only the metrics the pipeline predicts.
struct Predicted {
  bool pos = false, tag = false, morph = false, lemma = false, dep = false;
  void add(const Doc& d) {
    pos = pos || d.has_annotation(Attr::POS);
    tag = tag || d.has_annotation(Attr::TAG);
    morph = morph || d.has_annotation(Attr::MORPH);
    lemma = lemma || d.has_annotation(Attr::LEMMA);
    dep = dep || d.has_annotation(Attr::DEP);
  }
  bool covers(const std::string& metric) const {
    if (metric == "UPOS") return pos;
    if (metric == "XPOS") return tag;
    if (metric == "UFeats") return morph;
    if (metric == "AllTags") return pos && tag && morph;
    if (metric == "Lemmas") return lemma;
    if (metric == "UAS" || metric == "LAS" || metric == "CLAS") return dep;
    if (metric == "MLAS") return dep && pos && morph;
    if (metric == "BLEX") return dep && lemma;
    return true;  // Tokens, Sentences, Words
  }
};

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
                  "The pipeline: a language code gives the blank pipeline (tokenizer + sentencizer)")
      ->required();
  cmd->add_option("data", o->data, "Gold CoNLL-U file")->required()->check(CLI::ExistingFile);
  cmd->add_flag("--raw", o->raw, "Process the raw text end to end (tokenization and segmentation included)");
  cmd->add_option("--unit", o->unit,
                  "With --raw: process each gold document's text, or each gold sentence's text (# text)")
      ->check(CLI::IsMember({"document", "sentence"}))
      ->capture_default_str();
  cmd->add_flag("--json", o->json, "Print one JSON object keyed by the CoNLL 2018 metric names");
  cmd->add_option("--tokenizer", o->pipeline.tokenizer, "Tokenizer: a registry name or a tokenizer.json file");

  return [o]() -> int {
    o->pipeline.lang = o->model;
    Pipeline nlp = make_pipeline(o->pipeline);
    nlp.add_pipe("sentencizer");
    const std::vector<Doc> gold = read_conllu_file(o->data, nlp.vocab());
    Conll18Scores scores;
    Predicted predicted;
    auto process = [&](std::string text) {
      Doc d = nlp(std::move(text));
      predicted.add(d);
      return d;
    };
    if (o->raw) {
      scores = o->unit == "sentence" ? conll18_evaluate_sentences(gold, process)
                                     : conll18_evaluate_documents(gold, process);
    } else {
      std::vector<Doc> system;
      system.reserve(gold.size());
      for (const Doc& g : gold) system.push_back(strip_annotations(g));
      // Gold sentence boundaries are part of the input here; segmenters are left out.
      for (const std::string& name : nlp.pipe_names())
        if (nlp.get_pipe(name).factory_name() == "weft.Sentencizer.v1") nlp.disable_pipe(name);
      nlp.annotate(std::span<Doc>(system));
      for (const Doc& d : system) predicted.add(d);
      scores = conll18_evaluate(gold, system);
    }
    std::erase_if(scores, [&](const auto& kv) { return !predicted.covers(kv.first); });
    if (o->json) {
      std::cout << scores_json(scores).dump(2) << '\n';
    } else {
      std::cout << conll18_table(scores);
    }
    return 0;
  };
}

}  // namespace weft::cli
