// Tokenizer throughput on English web text: the raw text of UD English EWT train (its "# text" lines),
// repeated until at least --words words, one Doc per sentence (the unit pipelines usually get from a
// sentence-split corpus; per-call overhead such as the Doc's allocation and UTF-8 check counts). One
// thread, warm cache (one untimed pass first). Prints words/s (the tokenizer's tokens are UD words),
// surface tokens/s, MB/s and peak RSS.
//
//   bench_tokenizer [--conllu data/en_ewt/train.conllu] [--words 2000000] [--passes 3]
#include <sys/resource.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <string>
#include <vector>

#include "weft/error.hpp"
#include "weft/pipeline/language.hpp"
#include "weft/tokenize/tokenizer.hpp"

namespace {

struct Counts {
  std::size_t words = 0, tokens = 0, bytes = 0;
};

Counts run(const weft::Tokenizer& tok, const std::vector<std::string>& texts) {
  Counts c;
  for (const std::string& t : texts) {
    const weft::Doc doc = tok(t);  // copies the text, as a caller keeping its string would
    c.words += doc.size();
    for (std::size_t i = 0; i < doc.size(); ++i) c.tokens += !(doc.data(i).flags & weft::TOKEN_MWT_NEXT);
    c.bytes += t.size();
  }
  return c;
}

}  // namespace

int main(int argc, char** argv) {
  std::string path = "data/en_ewt/train.conllu";  // run from the repository root, or pass --conllu
  std::size_t min_words = 2000000;
  int passes = 3;
  for (int i = 1; i + 1 < argc; i += 2) {
    const std::string a = argv[i];
    if (a == "--conllu") path = argv[i + 1];
    else if (a == "--words") min_words = std::strtoull(argv[i + 1], nullptr, 10);
    else if (a == "--passes") passes = std::max(1, std::atoi(argv[i + 1]));
    else {
      std::cerr << "usage: bench_tokenizer [--conllu FILE] [--words N] [--passes N]\n";
      return 2;
    }
  }
  try {
    std::ifstream in(path);
    if (!in) throw weft::IOError("cannot open " + path);
    std::vector<std::string> sentences;
    std::string line;
    while (std::getline(in, line)) {
      if (line.rfind("# text = ", 0) == 0) sentences.push_back(line.substr(9));
    }
    const weft::LanguageData lang = weft::language_data("en");
    const auto tok = weft::Tokenizer::from_config(lang.tokenizer, weft::make_vocab(lang));

    const auto c0 = std::chrono::steady_clock::now();
    const Counts once = run(*tok, sentences);  // the warm-up pass, with an empty cache
    const double cold = std::chrono::duration<double>(std::chrono::steady_clock::now() - c0).count();
    std::vector<std::string> texts;
    std::size_t words = 0;
    while (words < min_words && once.words > 0) {
      texts.insert(texts.end(), sentences.begin(), sentences.end());
      words += once.words;
    }
    std::printf("input: %s, %zu sentences x %zu = %zu docs, %zu words, %.1f MB\n", path.c_str(), sentences.size(),
                texts.size() / std::max<std::size_t>(sentences.size(), 1), texts.size(), words,
                static_cast<double>(once.bytes) * static_cast<double>(texts.size() / sentences.size()) / 1e6);
    std::printf("cold pass (empty cache, every rule runs on each new chunk): %.2f M words/s\n",
                static_cast<double>(once.words) / cold / 1e6);
    double best = 1e30;
    Counts c;
    for (int p = 0; p < passes; ++p) {
      const auto t0 = std::chrono::steady_clock::now();
      c = run(*tok, texts);
      best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
    }
    rusage ru{};
    getrusage(RUSAGE_SELF, &ru);
    std::printf("one thread, one Doc per sentence, best of %d passes: %.3f s\n", passes, best);
    std::printf("words/s:  %.2f M  (%zu words)\n", static_cast<double>(c.words) / best / 1e6, c.words);
    std::printf("tokens/s: %.2f M  (%zu surface tokens)\n", static_cast<double>(c.tokens) / best / 1e6, c.tokens);
    std::printf("MB/s:     %.1f\n", static_cast<double>(c.bytes) / best / 1e6);
    std::printf("peak RSS: %.1f MB\n", static_cast<double>(ru.ru_maxrss) / 1024.0);
  } catch (const weft::Error& e) {
    std::cerr << "bench_tokenizer: " << e.what() << "\n";
    return 1;
  }
  return 0;
}
