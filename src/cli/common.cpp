#include "cli/common.hpp"

#include <filesystem>

#include "cli/python.hpp"
#include "weft/backend/ops.hpp"
#include "weft/error.hpp"
#include "weft/progress.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft::cli {

void add_input_options(CLI::App& cmd, InputOptions& in, bool text_options, std::vector<std::string>* paths) {
  if (paths) cmd.add_option("input", *paths, "Input files, read one after the other ('-' or none = stdin)");
  else cmd.add_option("input", in.path, "Input file ('-' = stdin)")->capture_default_str();
  cmd.add_option("--from", in.format, "Input format: text, jsonl, conllu, docbin, auto (by extension)")
      ->check(CLI::IsMember({"auto", "text", "jsonl", "conllu", "docbin"}))
      ->capture_default_str();
  cmd.add_flag("--skip-bad", in.skip_bad,
               "Skip bad records (bad JSON line, bad CoNLL-U sentence, invalid UTF-8; for run, a text over "
               "--max-length), report them on stderr and go on with the rest");
  cmd.add_flag("--sentence-docs", in.sentence_docs, "CoNLL-U input: one document per sentence (default: per # newdoc)");
  if (text_options) {
    std::map<std::string, TextUnit> units{{"line", TextUnit::Line}, {"block", TextUnit::Block}, {"file", TextUnit::File}};
    cmd.add_option("--unit", in.unit,
                   "Text input: what one document is: a line, a block of lines up to a blank line, or the whole file")
        ->transform(CLI::CheckedTransformer(units, CLI::ignore_case))
        ->default_str("line");
    std::map<std::string, InvalidUtf8> policies{{"error", InvalidUtf8::Error}, {"replace", InvalidUtf8::Replace}};
    cmd.add_option("--invalid-utf8", in.invalid_utf8,
                   "Text input with invalid UTF-8: stop with an error naming the line (error), or substitute "
                   "U+FFFD (replace)")
        ->transform(CLI::CheckedTransformer(policies, CLI::ignore_case))
        ->default_str("error");
  }
}

void add_pipeline_options(CLI::App& cmd, PipelineOptions& p) {
  cmd.add_option("--lang", p.lang, "Language of the blank pipeline")->capture_default_str();
  cmd.add_option("--tokenizer", p.tokenizer,
                 "Tokenizer: a registry name (weft.WhitespaceTokenizer.v1) or a tokenizer.json file; default: the "
                 "language's rule-based tokenizer");
}

void add_progress_option(CLI::App& cmd, int& progress) {
  cmd.add_flag("--progress{1},--no-progress{-1}", progress,
               "Show (or hide) a progress line on stderr: documents, words, words/s, and the percentage and ETA "
               "when the input's size is known. Default: shown when stderr is a terminal")
      ->multi_option_policy(CLI::MultiOptionPolicy::TakeLast);
}

bool progress_wanted(int progress) {
  return Progress::wanted(progress == 0 ? std::nullopt : std::optional<bool>(progress > 0));
}

Pipeline make_pipeline(const PipelineOptions& p) {
  Pipeline nlp = Pipeline::blank(p.lang);
  nlp.set_max_length(0);  // only weft run applies nlp.max_length (--max-length)
  set_tokenizer_option(nlp, p.tokenizer);
  return nlp;
}

void set_tokenizer_option(Pipeline& nlp, const std::string& tokenizer) {
  if (tokenizer.empty()) return;
  Json config;
  if (std::filesystem::exists(tokenizer)) {
    config = read_json_file(tokenizer);
  } else {
    config = Json::object();
    config["@tokenizers"] = tokenizer;
    if (tokenizer == language_data(nlp.lang()).tokenizer.value("@tokenizers", ""))
      config = language_data(nlp.lang()).tokenizer;
  }
  nlp.set_tokenizer(make_tokenizer(config, nlp.vocab()));
}

Pipeline load_model(const std::string& name_or_path) {
  if (!std::filesystem::exists(name_or_path)) {
    if (name_or_path.find('/') != std::string::npos)
      throw ModelError("cannot load model " + name_or_path + ": no such folder");
    if (!Registry::global().has("languages", name_or_path))
      throw ModelError("cannot load model " + name_or_path + ": no such folder, and not a language code");
  }
  // A model with Python components (or a Python tokenizer): the executable has none of them, so the
  // command runs through the Python module, where they can be registered (python.hpp). Inside Python
  // a factory still missing is weft::load's error, which says how to register it.
  if (!in_python()) {
    const std::vector<std::string> missing = missing_factories(name_or_path);
    if (!missing.empty())
      run_through_python("model " + name_or_path + " names the " + missing.front() +
                         ", which is not built in; register it in Python (@weft.Language.factory or .component, "
                         "weft.registry.components) in a file given with --code FILE, or in a package's "
                         "\"weft_factories\" entry point");
  }
  Pipeline nlp = load_or_blank(name_or_path);
  nlp.set_max_length(0);  // only weft run applies nlp.max_length (--max-length)
  return nlp;
}

void set_segmenters_for(Pipeline& nlp, const std::vector<std::string>& paths, const std::string& format) {
  bool all_tokenized = true;
  for (const std::string& p : paths) {
    const std::string f = resolve_format(format, p, "text");
    all_tokenized = all_tokenized && (f == "conllu" || f == "docbin");
  }
  if (all_tokenized) disable_segmenters(nlp);
  else ensure_segmenter(nlp);
}

void add_device_option(CLI::App& cmd, std::string& device) {
  cmd.add_option("--device", device,
                 "Where the networks run: cpu, or cuda:N for a GPU (an error naming CUDA when none is available)")
      ->capture_default_str();
}

backend::Device device_option(const std::string& device) {
  const backend::Device d = backend::Device::parse(device);
  (void)backend::ops(d);  // ValueError naming CUDA and why it is not available
  return d;
}

}  // namespace weft::cli
