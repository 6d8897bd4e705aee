// Loading a model folder (weft::load: config.json, meta.json, tokenizer.json and the components'
// files) from an input that describes the folder's files:
//
//   === config.json
//   {"nlp": {...}, "components": {...}}
//   === ruler/patterns.jsonl
//   {"label": "ORG", "pattern": "Apple"}
//
// Text before the first "=== " line is config.json. meta.json defaults to {} and tokenizer.json to
// the whitespace tokenizer when the input does not give them. The files are written to a scratch
// folder (load reads a folder; there is no in-memory form of a model). A folder that loads must
// annotate text, save (save_pipeline) and load again.
#include <cstddef>
#include <cstdint>
#include <fstream>

#include "fuzz_common.hpp"
#include "weft/pipeline/model_io.hpp"
#include "weft/pipeline/pipeline.hpp"

using namespace weft;
namespace fs = std::filesystem;

namespace {

// The whitespace tokenizer unless the input gives tokenizer.json: compiling the English rules costs
// far more than the rest of a load, and the tokenizer target covers them.
const std::string kDefaultTokenizer = R"({"@tokenizers": "weft.WhitespaceTokenizer.v1"})";

// A relative path of at most three plain components (letters, digits, '_', '-', '.'; no "..").
bool safe_path(std::string_view p) {
  if (p.empty() || p.size() > 64 || p.front() == '/' || p.find("..") != std::string_view::npos) return false;
  int parts = 1;
  for (const char c : p) {
    if (c == '/') ++parts;
    else if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_' || c == '-' || c == '.')) return false;
  }
  return parts <= 3 && p.back() != '/';
}

void write(const fs::path& path, std::string_view text) {
  fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out.write(text.data(), static_cast<std::streamsize>(text.size()));
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string_view input(reinterpret_cast<const char*>(data), size);
  const fs::path dir = weft_fuzz::temp_dir() / "model";
  fs::remove_all(dir);
  fs::create_directories(dir);
  std::map<std::string, std::string> files{{"meta.json", "{}"}, {"tokenizer.json", kDefaultTokenizer}};
  std::string name = "config.json";
  std::size_t pos = 0;
  std::string text;
  auto flush = [&] {
    if (safe_path(name)) files[name] = text;
    text.clear();
  };
  while (pos < input.size()) {
    std::size_t eol = input.find('\n', pos);
    if (eol == std::string_view::npos) eol = input.size();
    const std::string_view line = input.substr(pos, eol - pos);
    if (line.substr(0, 4) == "=== ") {
      flush();
      name = std::string(line.substr(4));
    } else {
      text.append(line);
      if (eol < input.size()) text += '\n';
    }
    pos = eol + 1;
  }
  flush();
  if (files.size() > 12) return 0;
  for (const auto& [path, content] : files) write(dir / path, content);

  std::optional<Pipeline> nlp;
  if (!weft_fuzz::expect_errors([&] { nlp.emplace(load(dir)); })) return 0;
  // A loaded pipeline annotates text, and what it saves loads again.
  Doc doc = nlp->make_doc("");
  weft_fuzz::expect_errors([&] { doc = (*nlp)("Apple is looking at buying U.K. startup for $1 billion. Don't!"); });
  const fs::path again = weft_fuzz::temp_dir() / "saved";
  fs::remove_all(again);
  weft_fuzz::must_succeed("saving a loaded pipeline and loading it again", [&] {
    save_pipeline(*nlp, again, read_model_json(dir / "config.json"), nlp->meta());
    (void)load(again);
  });
  return 0;
}
