// weft render: documents as displaCy pictures (render/displacy.hpp): dependency parses as SVG (dep),
// entities (ent) or a span group (span) marked in the text, as an HTML5 page (or, with --fragment,
// the markup alone). Input as weft run reads it; with --model the pipeline annotates it (tokenized
// input keeps its words and sentences, as in weft run), without one the annotations the input carries
// (CoNLL-U, JSONL, DocBin) are drawn and raw text is only tokenized and split into sentences.
// The page is written as the Docs come, so any input size takes bounded memory.
#include <algorithm>
#include <iostream>

#include "cli/commands.hpp"
#include "cli/common.hpp"
#include "cli/python.hpp"
#include "weft/error.hpp"
#include "weft/render/displacy.hpp"
#include "weft/train/trainer.hpp"

namespace weft::cli {

namespace {

// --options: a JSON object, or @FILE holding one.
Json read_options(const std::string& text) {
  if (text.empty()) return Json::object();
  Json j = text[0] == '@' ? read_json_file(text.substr(1)) : parse_json(text, "--options");
  if (!j.is_object()) throw ValueError("--options must be a JSON object of displaCy options, not " + j.dump());
  return j;
}

// A JSONL record's meta "title" (the ent and span styles show it, as displaCy shows user_data["title"]).
std::string title_of(const Doc& d) {
  const std::string& meta = d.extras().meta_json;
  if (meta.empty()) return {};
  const Json j = Json::parse(meta, nullptr, false);
  if (j.is_object() && j.contains("title") && j.at("title").is_string()) return j.at("title").get<std::string>();
  return {};
}

std::string_view lstrip(std::string_view s) {
  const std::size_t b = s.find_first_not_of(" \t\n\r\f\v");
  return b == std::string_view::npos ? std::string_view() : s.substr(b);
}
std::string_view rstrip(std::string_view s) {
  const std::size_t e = s.find_last_not_of(" \t\n\r\f\v");
  return e == std::string_view::npos ? std::string_view() : s.substr(0, e + 1);
}

}  // namespace

Run add_render(CLI::App& app) {
  struct Opts {
    std::string model;
    std::string style = "dep";
    std::vector<std::string> inputs;
    InputOptions in;
    std::string output = "-";
    std::string options;
    std::string per;
    bool fragment = false;
    bool minify = false;
    bool compact = false, fine_grained = false, add_lemma = false, collapse_phrases = false, no_collapse_punct = false;
    std::string ents;
    std::string spans_key;
    int threads = 1;
    std::size_t batch_size = 256;
    std::string lang = "en";
  };
  auto o = std::make_shared<Opts>();
  CLI::App* cmd = app.add_subcommand(
      "render",
      "Draw documents as displaCy does: dependency parses (dep: one SVG per sentence, words with their tags and "
      "labelled arcs), entities (ent) or a span group (span) marked in the text; an HTML5 page, or the markup "
      "alone with --fragment. With --model the pipeline annotates the input; without, the annotations the input "
      "carries (CoNLL-U, JSONL, DocBin) are drawn");
  cmd->add_option("-m,--model", o->model,
                  "Model folder (from weft train) or a language code; default: none (draw the input's own annotations)");
  cmd->add_option("-s,--style", o->style, "dep (dependency parse), ent (entities) or span (doc.spans[spans_key])")
      ->check(CLI::IsMember({"dep", "ent", "span"}))
      ->capture_default_str();
  add_input_options(*cmd, o->in, true, &o->inputs);
  cmd->add_option("-o,--output", o->output, "Output file ('-' = stdout)")->capture_default_str();
  cmd->add_option("--options", o->options,
                  "displaCy options as a JSON object (or @FILE): dep: compact, collapse_punct, collapse_phrases, "
                  "distance, arrow_stroke, arrow_spacing, arrow_width, offset_x, word_spacing, color, bg, font, "
                  "fine_grained, add_lemma, per_sentence; ent: ents, colors, kb_url_template, template; span: "
                  "spans_key, colors, kb_url_template, top_offset, span_label_offset, top_offset_step, template");
  cmd->add_option("--per", o->per, "dep: one SVG per sentence (the default) or per document")
      ->check(CLI::IsMember({"sentence", "doc"}));
  cmd->add_flag("--compact", o->compact, "dep: displaCy's compact mode (square arrows, less space)");
  cmd->add_flag("--fine-grained", o->fine_grained, "dep: the fine-grained tag (XPOS) under each word instead of UPOS");
  cmd->add_flag("--add-lemma", o->add_lemma, "dep: the lemma under each word");
  cmd->add_flag("--collapse-phrases", o->collapse_phrases, "dep: merge noun chunks into one word");
  cmd->add_flag("--no-collapse-punct", o->no_collapse_punct, "dep: keep punctuation as words of its own");
  cmd->add_option("--ents", o->ents, "ent: the labels to mark, comma-separated (default: all)");
  cmd->add_option("--spans-key", o->spans_key, "span: the span group to draw (default: sc)");
  cmd->add_flag("--fragment", o->fragment, "Write the markup alone, not an HTML page");
  cmd->add_flag("--minify", o->minify, "Leave out the templates' newlines and indentation");
  cmd->add_option("--lang", o->lang, "Without --model: the language that tokenizes text input")->capture_default_str();
  cmd->add_option("--threads", o->threads, "Worker threads for the pipeline")->check(CLI::Range(1, 256))->capture_default_str();
  cmd->add_option("--batch-size", o->batch_size, "Documents per batch")->check(CLI::Range(1, 1 << 20))->capture_default_str();
  add_code_option(*cmd);

  return [o]() -> int {
    prepare_code();
    // The options: --options, then the flags over them.
    Json j = read_options(o->options);
    const render::Style style = render::style_from_name(o->style);
    auto set_flag = [&](bool given, const char* key, Json value) {
      if (given) j[key] = std::move(value);
    };
    set_flag(o->compact, "compact", true);
    set_flag(o->fine_grained, "fine_grained", true);
    set_flag(o->add_lemma, "add_lemma", true);
    set_flag(o->collapse_phrases, "collapse_phrases", true);
    set_flag(o->no_collapse_punct, "collapse_punct", false);
    if (!o->ents.empty()) {
      Json labels = Json::array();
      std::string_view rest = o->ents;
      while (!rest.empty()) {
        const std::size_t comma = rest.find(',');
        const std::string_view l = rest.substr(0, comma);
        if (!l.empty()) labels.push_back(std::string(l));
        if (comma == std::string_view::npos) break;
        rest.remove_prefix(comma + 1);
      }
      j["ents"] = labels;
    }
    if (!o->spans_key.empty()) j["spans_key"] = o->spans_key;
    if (style == render::Style::Dep) {
      if (!o->per.empty()) j["per_sentence"] = o->per == "sentence";
      else if (!j.contains("per_sentence")) j["per_sentence"] = true;
    } else if (!o->per.empty()) {
      throw ValueError("--per applies to the dep style only");
    }
    render::Options options = render::Options::from_json(style, j);
    options.page = !o->fragment;
    options.minify = o->minify;

    Pipeline nlp = o->model.empty() ? Pipeline::blank(o->lang) : load_model(o->model);
    nlp.set_max_length(0);
    std::vector<std::string> paths = o->inputs;
    if (paths.empty()) paths.push_back("-");
    set_segmenters_for(nlp, paths, o->in.format);

    InputFiles inputs(paths, o->in, nlp.vocab());
    const bool annotate = !o->model.empty();
    auto source = [&]() -> std::optional<PipeInput> {
      std::optional<PipeInput> in = inputs.next();
      // With a model, as weft run: the model's annotations replace the input's; the input's words,
      // sentences and meta (the title) stay. Without one the Doc is drawn with its own annotations
      // (text is tokenized and split into sentences by the blank pipeline's sentencizer).
      if (in && in->doc && annotate) {
        Doc d = strip_annotations(*in->doc);
        d.extras().meta_json = in->doc->extras().meta_json;
        in->doc = std::move(d);
      }
      return in;
    };

    render::Renderer renderer(options);
    Output out(o->output);
    std::ostream& os = out.stream();
    bool started = false;
    std::string pending;  // the last piece, held back to strip its trailing whitespace at the end
    auto emit = [&](std::string piece) {
      if (!started) {
        started = true;
        pending = std::string(lstrip(piece));
        return;
      }
      os << pending;
      pending = std::move(piece);
    };
    auto sink = [&](Doc& d) {
      const std::vector<std::string> items = renderer.add(d, style == render::Style::Dep ? std::string() : title_of(d));
      if (options.page && !started) emit(renderer.page_head());
      for (const std::string& item : items) emit(options.page ? renderer.figure(item) : item);
    };
    nlp.pipe(source, sink, PipeOptions{o->batch_size, o->threads});
    if (options.page) {
      if (!started) emit(renderer.page_head());
      emit(renderer.page_tail());
    }
    os << rstrip(pending) << '\n';
    out.finish();

    // displaCy's warnings, each once, with the number of Docs it was given for.
    std::vector<std::pair<std::string, std::size_t>> counts;
    for (const std::string& w : renderer.warnings()) {
      auto it = std::find_if(counts.begin(), counts.end(), [&](const auto& c) { return c.first == w; });
      if (it == counts.end()) counts.emplace_back(w, 1);
      else ++it->second;
    }
    for (const auto& [w, n] : counts)
      std::cerr << "weft: warning: " << w << (n > 1 ? " (" + std::to_string(n) + " documents)" : std::string()) << '\n';
    report_skipped(inputs.skipped());
    return 0;
  };
}

}  // namespace weft::cli
