#include "weft/components/sentencizer/sentencizer.hpp"

#include "pipeline/builtins.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

std::vector<std::string> SentencizerConfig::default_punct_chars() {
  // spaCy's Sentencizer.default_punct_chars (sentence terminals of many scripts) and the ellipsis.
  return {"!",  ".",  "?",  "։", "؟", "۔", "܀", "܁", "܂", "߹", "।", "॥", "၊", "။", "።", "፧", "፨", "᙮",
          "᜵", "᜶", "᠃", "᠉", "᥄", "᥅", "᪨", "᪩", "᪪", "᪫", "᭚", "᭛", "᭞", "᭟", "᰻", "᰼", "᱾", "᱿",
          "‼", "‽", "⁇", "⁈", "⁉", "⸮", "⸼", "꓿", "꘎", "꘏", "꛳", "꛷", "꡶", "꡷", "꣎", "꣏", "꤯", "꧈",
          "꧉", "꩝", "꩞", "꩟", "꫰", "꫱", "꯫", "﹒", "﹖", "﹗", "！", "．", "？", "𐩖", "𐩗", "𑁇", "𑁈", "𑂾",
          "𑂿", "𑃀", "𑃁", "𑅁", "𑅂", "𑅃", "𑇅", "𑇆", "𑇍", "𑇞", "𑇟", "𑈸", "𑈹", "𑈻", "𑈼", "𑊩", "𑑋", "𑑌",
          "𑗂", "𑗃", "𑗉", "𑗊", "𑗋", "𑗌", "𑗍", "𑗎", "𑗏", "𑗐", "𑗑", "𑗒", "𑗓", "𑗔", "𑗕", "𑗖", "𑗗", "𑙁",
          "𑙂", "𑜼", "𑜽", "𑜾", "𑩂", "𑩃", "𑪛", "𑪜", "𑱁", "𑱂", "𖩮", "𖩯", "𖫵", "𖬷", "𖬸", "𖭄", "𛲟", "𝪈",
          "｡", "。", "…"};
}

SentencizerConfig SentencizerConfig::from_json(const Json& j, SentencizerConfig c) {
  if (j.is_null()) return c;
  if (!j.is_object()) throw FormatError("sentencizer config must be a JSON object");
  check_config_keys(j, {"punct_chars", "split_on_newlines", "ellipsis_lowercase_continues", "only_starts", "overwrite"},
                    "the sentencizer config");
  for (auto it = j.begin(); it != j.end(); ++it) {
    const std::string& k = it.key();
    const Json& v = it.value();
    if (k == "punct_chars") {
      if (!v.is_array()) throw FormatError("sentencizer config: \"punct_chars\" must be a list of strings");
      c.punct_chars.clear();
      for (const Json& p : v) {
        if (!p.is_string() || p.get<std::string>().empty()) {
          throw FormatError("sentencizer config: \"punct_chars\" must be a list of non-empty strings");
        }
        utf8::check(p.get<std::string>(), "sentencizer punct_chars");
        c.punct_chars.push_back(p.get<std::string>());
      }
    } else if (k == "split_on_newlines" || k == "ellipsis_lowercase_continues" || k == "only_starts" ||
               k == "overwrite") {
      if (!v.is_boolean()) throw FormatError("sentencizer config: \"" + k + "\" must be true or false");
      (k == "split_on_newlines" ? c.split_on_newlines
       : k == "only_starts"     ? c.only_starts
       : k == "overwrite"       ? c.overwrite
                                : c.ellipsis_lowercase_continues) = v.get<bool>();
    }
  }
  return c;
}

Json SentencizerConfig::to_json() const {
  return Json{{"punct_chars", punct_chars},
              {"split_on_newlines", split_on_newlines},
              {"ellipsis_lowercase_continues", ellipsis_lowercase_continues},
              {"only_starts", only_starts},
              {"overwrite", overwrite}};
}

Sentencizer::Sentencizer(std::string name, SentencizerConfig config)
    : Component(std::move(name)), config_(std::move(config)) {
  for (const std::string& p : config_.punct_chars) {
    for (std::size_t i = 0; i < p.size();) punct_.insert(utf8::next(p, i));
  }
}

std::unique_ptr<Sentencizer> Sentencizer::from_config(const std::string& name, const Json& config,
                                                      const std::shared_ptr<Vocab>& vocab) {
  SentencizerConfig base;
  base.punct_chars = SentencizerConfig::default_punct_chars();
  if (vocab && !vocab->lang().empty() && Registry::global().has("languages", vocab->lang())) {
    base = SentencizerConfig::from_json(language_data(vocab->lang()).sentencizer, std::move(base));
  }
  return std::make_unique<Sentencizer>(name, SentencizerConfig::from_json(config, std::move(base)));
}

bool Sentencizer::is_final(std::string_view token) const {
  if (token.empty()) return false;
  for (std::size_t i = 0; i < token.size();) {
    if (!punct_.count(utf8::next(token, i))) return false;
  }
  return true;
}

namespace {

// Closing brackets and final quotes (’ ”) always close; a quote that can open as well as close (" ')
// only when it is attached to the punctuation before it, since `. "Next` opens the next quotation.
bool is_closing(std::string_view token, bool attached) {
  if (token.empty()) return false;
  for (std::size_t i = 0; i < token.size();) {
    const char32_t c = utf8::next(token, i);
    const bool opens = unicode::is_left_punct(c) || unicode::is_open_bracket(c);
    const bool closes = unicode::is_right_punct(c) || unicode::is_close_bracket(c);
    const bool symmetric = unicode::is_quote(c) && (opens == closes);
    if (symmetric ? !attached : (!closes || opens)) return false;
  }
  return true;
}

bool is_ellipsis(std::string_view token) {
  return token.find("\xE2\x80\xA6") != std::string_view::npos || token.find("..") != std::string_view::npos;
}

bool starts_lower(std::string_view token) {
  std::size_t i = 0;
  return !token.empty() && unicode::is_lower(utf8::next(token, i));
}

bool has_newline(std::string_view ws) {
  return ws.find('\n') != std::string_view::npos || ws.find('\r') != std::string_view::npos ||
         ws.find("\xE2\x80\xA8") != std::string_view::npos || ws.find("\xE2\x80\xA9") != std::string_view::npos;
}

}  // namespace

void Sentencizer::operator()(Doc& doc) const {
  auto& toks = doc.tokens();
  bool open = false;      // a sentence-final token was seen and no sentence has started since
  bool ellipsis = false;  // ... and the last such token was an ellipsis
  for (std::size_t i = 0; i < toks.size(); ++i) {
    const std::string_view text = doc.token_text(i);
    bool start = i == 0;
    if (i > 0) {
      const std::string_view ws = doc.whitespace(i - 1);
      if (config_.split_on_newlines && has_newline(ws)) {
        start = true;
      } else if (open && !is_final(text) && !is_closing(text, ws.empty())) {
        if (ellipsis && config_.ellipsis_lowercase_continues && starts_lower(text)) open = false;
        else start = true;
      }
    }
    if (start) open = false;
    if (is_final(text)) {
      open = true;
      ellipsis = is_ellipsis(text);
    }
    // spaCy: boundaries already decided (given with the input, set by hand) stay unless `overwrite`.
    if (config_.overwrite || toks[i].sent_start == 0) toks[i].sent_start = start ? 1 : config_.only_starts ? 0 : -1;
  }
}

void register_sentencizer(Registry& r) {
  ComponentFactory make = [](const std::string& name, const Json& config, std::shared_ptr<Vocab> vocab) {
    return std::unique_ptr<Component>(Sentencizer::from_config(name, config, vocab));
  };
  r.add("components", "sentencizer", make, "rule-based sentence boundaries (punctuation, newlines)", "builtin");
  r.add("components", "weft.Sentencizer.v1", make, "rule-based sentence boundaries (punctuation, newlines)",
        "builtin");
}

}  // namespace weft
