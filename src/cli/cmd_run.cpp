// weft run: annotates documents with a pipeline (a trained model folder, or a language code for the
// blank pipeline). Text, JSONL or CoNLL-U in; JSONL, CoNLL-U or an aligned table out, streamed with
// Pipeline::pipe (--threads, --batch-size) in input order.
//
// - Raw text goes through the model's tokenizer; when the pipeline has no sentence segmenter the
//   rule-based sentencizer is added first, so sentence-based output (CoNLL-U, table) has sentences.
// - Tokenized input (CoNLL-U, DocBin, JSONL documents with "tokens") keeps its words, multi-word tokens
//   and sentence boundaries: the pipeline runs on weft::strip_annotations(doc), so every annotation
//   column is the model's. CoNLL-U comments (sent_id, text), other MISC items, range-line fields and
//   JSONL meta are kept; enhanced dependencies (DEPS) and empty nodes are dropped, since they would
//   contradict the predicted tree.
#include <deque>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/python.hpp"
#include "cli/common.hpp"
#include "cli/writer.hpp"
#include "weft/progress.hpp"
#include "weft/train/trainer.hpp"

namespace weft::cli {

namespace {

// The input Doc without annotations, with the side data that describes the input rather than the
// gold analysis.
Doc strip_input(const Doc& in) {
  Doc d = strip_annotations(in);
  const DocExtras& ex = in.extras();
  DocExtras& out = d.extras();
  out.comments = ex.comments;
  out.misc = ex.misc;
  out.mwt_fields = ex.mwt_fields;
  out.meta_json = ex.meta_json;
  return d;
}

}  // namespace

Run add_run(CLI::App& app) {
  struct Opts {
    std::string model;
    std::vector<std::string> inputs;
    InputOptions in;
    std::string tokenizer;
    std::string output = "-";
    std::string to = "jsonl";
    int threads = 1;
    std::size_t batch_size = 256;
    std::size_t max_length = Pipeline::kDefaultMaxLength;
    std::string device = "cpu";
    int progress = 0;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "run",
      "Annotate documents with a pipeline: text (one document per line), JSONL or CoNLL-U in; JSONL, CoNLL-U or "
      "a table out. Tokenized input (CoNLL-U) keeps its words and sentences; the model fills the annotation "
      "columns. Raw text gets the rule-based sentencizer first when the pipeline has no sentence segmenter.");
  cmd->add_option("-m,--model", o->model, "Model folder (from weft train), or a language code for the blank pipeline")
      ->required();
  add_input_options(*cmd, o->in, true, &o->inputs);
  cmd->add_option("-o,--output", o->output, "Output file ('-' = stdout)")->capture_default_str();
  cmd->add_option("--to", o->to,
                  "Output format: jsonl (one annotated document per line, as weft convert writes), conllu, or table "
                  "(aligned columns per sentence: ID TEXT LEMMA UPOS XPOS FEATS, plus HEAD DEPREL and ENT when set)")
      ->check(CLI::IsMember({"jsonl", "conllu", "table"}))
      ->capture_default_str();
  cmd->add_option("--tokenizer", o->tokenizer,
                  "Replace the model's tokenizer: a registry name or a tokenizer.json file");
  cmd->add_option("--threads", o->threads, "Worker threads (batches processed in parallel, output in input order)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  CLI::Option* batch = cmd->add_option("--batch-size", o->batch_size, "Documents per batch (default 256; 4096 on a GPU)")
                           ->check(CLI::Range(1, 1 << 20));
  add_device_option(*cmd, o->device);
  cmd->add_option("--max-length", o->max_length,
                  "Longest text, in characters, of one document (spaCy's nlp.max_length); a longer one is an error "
                  "naming its file and line. 0: no limit")
      ->capture_default_str();

  add_progress_option(*cmd, o->progress);
  add_code_option(*cmd);

  return [o, batch]() -> int {
    prepare_code();
    const backend::Device device = device_option(o->device);
    const bool show_progress = progress_wanted(o->progress);
    Pipeline nlp = load_model(o->model);
    nlp.to(device);
    if (!device.is_cpu() && batch->count() == 0) o->batch_size = kDeviceBatchSize;
    set_tokenizer_option(nlp, o->tokenizer);
    nlp.set_max_length(o->max_length);
    std::vector<std::string> paths = o->inputs;
    if (paths.empty()) paths.push_back("-");
    set_segmenters_for(nlp, paths, o->in.format);

    InputOptions in_options = o->in;
    in_options.count_bytes = show_progress;
    InputFiles inputs(paths, in_options, nlp.vocab());
    // The progress line counts the Docs the writer got; each carries the input position after its
    // record (kept in read order: pipe hands Docs on in input order).
    std::unique_ptr<Progress> progress;
    std::deque<std::uint64_t> positions;
    if (show_progress) progress = std::make_unique<Progress>("weft run", inputs.total_bytes(), "bytes");
    // Tokenized input keeps its sentence starts (strip_input keeps them): segmenters are off for
    // CoNLL-U and DocBin, the sentencizer leaves decided tokens alone for JSONL, and the parser takes
    // them as constraints, so trees and sentences agree.
    // Texts over max_length are refused here, where the file and line are known; with --skip-bad
    // they are bad records like the others: skipped and reported.
    std::vector<std::string> too_long;
    auto source = [&]() -> std::optional<PipeInput> {
      for (;;) {
        std::optional<PipeInput> in = inputs.next();
        if (in && in->doc) in->doc = strip_input(*in->doc);
        if (in && !in->doc) {
          try {
            nlp.check_length(in->text);
          } catch (const ValueError& e) {
            ValueError located(e.cause(), inputs.where());
            if (!o->in.skip_bad) throw located;
            too_long.push_back(located.what());
            continue;
          }
        }
        if (in && progress) positions.push_back(inputs.position());
        return in;
      }
    };
    DocWriter writer(o->to, o->output);
    nlp.pipe(
        source,
        [&](Doc& d) {
          writer.write(d);
          if (progress) {
            progress->set_position(positions.front());
            positions.pop_front();
            progress->add(1, d.size());
          }
        },
        PipeOptions{o->batch_size, o->threads});
    writer.finish();
    if (progress) progress->finish();
    std::vector<std::string> skipped = inputs.skipped();
    skipped.insert(skipped.end(), too_long.begin(), too_long.end());
    report_skipped(skipped);
    return 0;
  };
}

}  // namespace weft::cli
