// weft convert: CoNLL-U <-> JSONL <-> DocBin, keeping every annotation. Plain text input is
// tokenized with the language's tokenizer.
#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/writer.hpp"
#include "weft/error.hpp"

namespace weft::cli {

Run add_convert(CLI::App& app) {
  struct Opts {
    InputOptions in;
    PipelineOptions pipeline;
    std::string output = "-";
    std::string to = "auto";
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert documents between CoNLL-U, JSONL and DocBin");
  add_input_options(*cmd, o->in, true);
  add_pipeline_options(*cmd, o->pipeline);
  cmd->add_option("-o,--output", o->output, "Output file ('-' = stdout)")->capture_default_str();
  cmd->add_option("--to", o->to, "Output format: conllu, jsonl, docbin, auto (by the output file's extension)")
      ->check(CLI::IsMember({"auto", "conllu", "jsonl", "docbin"}))
      ->capture_default_str();

  return [o]() -> int {
    const std::string to = resolve_format(o->to, o->output, "");
    if (to.empty()) throw ValueError("weft convert: give --to (conllu, jsonl, docbin) or an output file extension");
    Pipeline nlp = make_pipeline(o->pipeline);
    InputReader reader(o->in, nlp.vocab());
    DocWriter writer(to, o->output);
    nlp.pipe([&] { return reader.next(); }, [&](Doc& d) { writer.write(d); });
    writer.finish();
    report_skipped(reader.skipped());
    return 0;
  };
}

}  // namespace weft::cli
