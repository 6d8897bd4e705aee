// weft convert: CoNLL-U <-> JSONL <-> DocBin, keeping every annotation. Plain text input is
// tokenized with the language's tokenizer.
#include <deque>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/writer.hpp"
#include "weft/error.hpp"
#include "weft/progress.hpp"

namespace weft::cli {

Run add_convert(CLI::App& app) {
  struct Opts {
    InputOptions in;
    PipelineOptions pipeline;
    std::string output = "-";
    std::string to = "auto";
    int progress = 0;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("convert", "Convert documents between CoNLL-U, JSONL and DocBin");
  add_input_options(*cmd, o->in, true);
  add_pipeline_options(*cmd, o->pipeline);
  cmd->add_option("-o,--output", o->output, "Output file ('-' = stdout)")->capture_default_str();
  cmd->add_option("--to", o->to, "Output format: conllu, jsonl, docbin, auto (by the output file's extension)")
      ->check(CLI::IsMember({"auto", "conllu", "jsonl", "docbin"}))
      ->capture_default_str();
  add_progress_option(*cmd, o->progress);

  return [o]() -> int {
    const std::string to = resolve_format(o->to, o->output, "");
    if (to.empty()) throw ValueError("weft convert: give --to (conllu, jsonl, docbin) or an output file extension");
    Pipeline nlp = make_pipeline(o->pipeline);
    InputOptions in = o->in;
    in.count_bytes = progress_wanted(o->progress);
    InputReader reader(in, nlp.vocab());
    std::unique_ptr<Progress> progress;
    std::deque<std::uint64_t> positions;
    if (in.count_bytes) progress = std::make_unique<Progress>("weft convert", reader.size(), "bytes");
    DocWriter writer(to, o->output);
    nlp.pipe(
        [&] {
          std::optional<PipeInput> r = reader.next();
          if (r && progress) positions.push_back(reader.position());
          return r;
        },
        [&](Doc& d) {
          writer.write(d);
          if (progress) {
            progress->set_position(positions.front());
            positions.pop_front();
            progress->add(1, d.size());
          }
        });
    writer.finish();
    if (progress) progress->finish();
    report_skipped(reader.skipped());
    return 0;
  };
}

}  // namespace weft::cli
