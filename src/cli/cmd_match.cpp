// weft match: finds the matches of entity-ruler patterns (a JSONL file of {"label", "pattern", "id"?},
// phrase or token patterns) in documents, without writing entities: one JSONL record per document
// ({"text", "matches": [{"label", "start", "end", "start_char", "end_char", "text", "id"?}], "meta"?})
// or an aligned table with one row per match.
//
// - The pipeline (--model: a model folder or a language code) tokenizes the documents, its components
//   annotate them (so token patterns may ask for POS, LEMMA, ...) and its tokenizer makes the phrase
//   patterns; --attr is the attribute phrases match on (the ruler's phrase_matcher_attr).
// - By default the matches are those an EntityRuler would set (no two overlapping: longest first, then
//   earliest), whatever entities the model predicted; --all-matches reports every distinct match.
// - Inputs are read as by weft run (text, JSONL, CoNLL-U, DocBin; --skip-bad); tokenized input keeps
//   its words, and its annotations stay visible to the patterns where the pipeline sets none.
#include <algorithm>

#include "cli/commands.hpp"
#include "cli/python.hpp"
#include "cli/common.hpp"
#include "cli/writer.hpp"
#include "weft/components/entity_ruler/entity_ruler.hpp"
#include "weft/error.hpp"

namespace weft::cli {

namespace {

std::string one_line(std::string_view s) {
  std::string out(s);
  for (char& c : out)
    if (c == '\n' || c == '\r' || c == '\t') c = ' ';
  return out;
}

}  // namespace

Run add_match(CLI::App& app) {
  struct Opts {
    std::string patterns;
    std::string model = "en";
    std::string attr;
    std::vector<std::string> inputs;
    InputOptions in;
    std::string tokenizer;
    std::string output = "-";
    std::string to = "jsonl";
    bool all = false;
    int threads = 1;
    std::size_t batch_size = 256;
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "match",
      "Find the matches of entity-ruler patterns (JSONL: {\"label\", \"pattern\": phrase or token list, \"id\"}) in "
      "documents: one JSONL record per document with its matches, or a table with one row per match.");
  cmd->add_option("-p,--patterns", o->patterns,
                  "Patterns file (JSONL, one {\"label\": ..., \"pattern\": \"a phrase\" or [{token spec}, ...], "
                  "\"id\": ...} per line)")
      ->required();
  cmd->add_option("-m,--model", o->model,
                  "Model folder, or a language code for the blank pipeline; its tokenizer makes the phrase patterns "
                  "and its components annotate the documents")
      ->capture_default_str();
  cmd->add_option("--attr", o->attr,
                  "Token attribute phrase patterns match on (ORTH, LOWER, NORM, SHAPE, ...; default ORTH)");
  add_input_options(*cmd, o->in, true, &o->inputs);
  cmd->add_flag("--skip-bad-records", o->in.skip_bad, "The same as --skip-bad");
  cmd->add_option("-o,--output", o->output, "Output file ('-' = stdout)")->capture_default_str();
  cmd->add_option("--to,--format", o->to,
                  "Output format: jsonl (one record per document: text and matches) or table (one row per match: "
                  "DOC START END LABEL ID TEXT, aligned per document)")
      ->check(CLI::IsMember({"jsonl", "table"}))
      ->capture_default_str();
  cmd->add_flag("--all-matches", o->all,
                "Report every distinct match, overlapping ones included (default: the non-overlapping matches an "
                "entity ruler would set, longest first)");
  cmd->add_option("--tokenizer", o->tokenizer, "Replace the model's tokenizer: a registry name or a tokenizer.json file");
  cmd->add_option("--threads", o->threads, "Worker threads for the pipeline (output in input order)")
      ->check(CLI::Range(1, 256))
      ->capture_default_str();
  cmd->add_option("--batch-size", o->batch_size, "Documents per batch")->check(CLI::Range(1, 1 << 20))->capture_default_str();

  add_code_option(*cmd);

  return [o]() -> int {
    prepare_code();
    Pipeline nlp = load_model(o->model);
    set_tokenizer_option(nlp, o->tokenizer);
    Json config = Json::object();
    // Existing entities never hide a match: the command reports matches, not the entities it would keep.
    config["overwrite_ents"] = true;
    if (!o->attr.empty()) config["phrase_matcher_attr"] = o->attr;
    EntityRuler ruler("entity_ruler", config, nlp.vocab());
    ruler.set_tokenizer(nlp.tokenizer_ptr());
    ruler.add_patterns_jsonl(o->patterns);

    InputFiles inputs(o->inputs, o->in, nlp.vocab());
    Output out(o->output);
    std::string buf;
    std::size_t n_doc = 0;
    nlp.pipe([&] { return inputs.next(); },
             [&](Doc& d) {
               ++n_doc;
               // Token patterns with custom extension attributes ("_"): their values come from Python (--code).
               ExternalColumns columns;
               const ExternalColumns* external = ruler.external_columns(d, columns);
               std::vector<RulerMatch> matches = o->all ? ruler.match(d, external) : ruler.select(d, false, external);
               if (o->all)
                 std::sort(matches.begin(), matches.end(), [](const RulerMatch& a, const RulerMatch& b) {
                   return a.start != b.start ? a.start < b.start : a.end < b.end;
                 });
               buf.clear();
               if (o->to == "jsonl") {
                 Json rec = Json::object();
                 rec["text"] = d.text();
                 Json ms = Json::array();
                 for (const RulerMatch& m : matches) {
                   const EntityRuler::Key& key = *ruler.key(m.match_id);
                   const Span span = d.span(m.start, m.end);
                   Json j = Json::object();
                   j["label"] = key.label;
                   j["start"] = m.start;
                   j["end"] = m.end;
                   j["start_char"] = span.start_char();
                   j["end_char"] = span.end_char();
                   j["text"] = span.text();
                   if (!key.id.empty()) j["id"] = key.id;
                   ms.push_back(std::move(j));
                 }
                 rec["matches"] = std::move(ms);
                 if (!d.extras().meta_json.empty()) rec["meta"] = parse_json(d.extras().meta_json, "meta");
                 buf = rec.dump(-1, ' ', false, Json::error_handler_t::replace);
                 buf += '\n';
               } else if (!matches.empty()) {
                 std::vector<std::vector<std::string>> rows{{"DOC", "START", "END", "LABEL", "ID", "TEXT"}};
                 for (const RulerMatch& m : matches) {
                   const EntityRuler::Key& key = *ruler.key(m.match_id);
                   rows.push_back({std::to_string(n_doc), std::to_string(m.start), std::to_string(m.end), key.label,
                                   key.id.empty() ? "_" : key.id, one_line(d.span(m.start, m.end).text())});
                 }
                 append_rows(rows, buf);
               }
               out.stream() << buf;
             },
             PipeOptions{o->batch_size, o->threads});
    out.finish();
    report_skipped(inputs.skipped());
    return 0;
  };
}

}  // namespace weft::cli
