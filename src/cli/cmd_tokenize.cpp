// weft tokenize: text or JSONL in; one token per line, JSONL with offsets, CoNLL-U (sentences from the
// sentencizer, multi-word token lines, SpaceAfter=No) or DocBin out; --explain shows the rule behind
// each token.
#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/writer.hpp"

namespace weft::cli {

Run add_tokenize(CLI::App& app) {
  struct Opts {
    InputOptions in;
    PipelineOptions pipeline;
    std::string output = "-";
    std::string to = "tokens";
    bool explain = false;
    bool sentences = false;
    int threads = 1;
    std::size_t batch_size = 256;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand("tokenize", "Tokenize text: one token per line, JSONL, CoNLL-U or DocBin");
  add_input_options(*cmd, o->in, true);
  add_pipeline_options(*cmd, o->pipeline);
  cmd->add_option("-o,--output", o->output, "Output file ('-' = stdout)")->capture_default_str();
  cmd->add_option("--to", o->to, "Output format: tokens (one per line, blank line between documents), jsonl, conllu, docbin")
      ->check(CLI::IsMember({"tokens", "jsonl", "conllu", "docbin"}))
      ->capture_default_str();
  cmd->add_flag("--explain", o->explain, "Print the rule that produced each token (RULE<TAB>token)");
  cmd->add_flag("--sentences", o->sentences, "Run the sentencizer (always on for --to conllu)");
  cmd->add_option("--threads", o->threads, "Worker threads")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--batch-size", o->batch_size, "Documents per batch")->check(CLI::Range(1, 1 << 20))->capture_default_str();

  return [o]() -> int {
    Pipeline nlp = make_pipeline(o->pipeline);
    if (o->sentences || o->to == "conllu") nlp.add_pipe("sentencizer");
    InputReader reader(o->in, nlp.vocab());
    // Annotated input (JSONL with tokens, CoNLL-U) is re-tokenized from its text.
    auto source = [&]() -> std::optional<PipeInput> {
      std::optional<PipeInput> in = reader.next();
      if (in && in->doc) {
        in->text = in->doc->text();
        in->doc.reset();
      }
      return in;
    };
    if (o->explain) {
      Output out(o->output);
      while (std::optional<PipeInput> in = source()) {
        for (const ExplainEntry& e : nlp.tokenizer().explain(in->text)) out.stream() << e.rule << '\t' << e.text << '\n';
        out.stream() << '\n';
      }
      out.finish();
    } else {
      DocWriter writer(o->to, o->output);
      nlp.pipe(source, [&](Doc& d) { writer.write(d); }, PipeOptions{o->batch_size, o->threads});
      writer.finish();
    }
    report_skipped(reader.skipped());
    return 0;
  };
}

}  // namespace weft::cli
