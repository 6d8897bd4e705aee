#include "cli/common.hpp"

#include <filesystem>

#include "weft/pipeline/language.hpp"
#include "weft/pipeline/registry.hpp"

namespace weft::cli {

void add_input_options(CLI::App& cmd, InputOptions& in, bool text_options) {
  cmd.add_option("input", in.path, "Input file ('-' = stdin)")->capture_default_str();
  cmd.add_option("--from", in.format, "Input format: text, jsonl, conllu, docbin, auto (by extension)")
      ->check(CLI::IsMember({"auto", "text", "jsonl", "conllu", "docbin"}))
      ->capture_default_str();
  cmd.add_flag("--skip-bad", in.skip_bad,
               "Skip malformed records (bad JSON line, bad CoNLL-U sentence, invalid UTF-8), report them on "
               "stderr and go on with the rest");
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

Pipeline make_pipeline(const PipelineOptions& p) {
  Pipeline nlp = Pipeline::blank(p.lang);
  if (!p.tokenizer.empty()) {
    Json config;
    if (std::filesystem::exists(p.tokenizer)) {
      config = read_json_file(p.tokenizer);
    } else {
      config = Json::object();
      config["@tokenizers"] = p.tokenizer;
      if (p.tokenizer == language_data(p.lang).tokenizer.value("@tokenizers", "")) config = language_data(p.lang).tokenizer;
    }
    nlp.set_tokenizer(make_tokenizer(config, nlp.vocab()));
  }
  return nlp;
}

}  // namespace weft::cli
