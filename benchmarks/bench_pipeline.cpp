// bench_pipeline: annotation speed of a trained pipeline. Reads raw text (default: the EWT dev raw
// text, one document per paragraph), repeats it to at least --min-words words, and streams it through
// nlp.pipe on 1 thread and on N threads (the whole pipeline: tokenizer + every component), printing
// words/sec for each, the speed-up, and the peak resident memory.
//   bench_pipeline [MODEL] [--text FILE] [--min-words N] [--threads N] [--batch-size N]
#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"

namespace {

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

}  // namespace

int main(int argc, char** argv) {
  std::string model = "models/en_ewt_sm", text_path = "data/en_ewt/dev.txt";
  std::size_t min_words = 500000, batch_size = 128;
  int threads = 2;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--text") text_path = next();
    else if (a == "--min-words") min_words = std::stoul(next());
    else if (a == "--threads") threads = std::stoi(next());
    else if (a == "--batch-size") batch_size = std::stoul(next());
    else if (!a.empty() && a[0] != '-') model = a;
    else {
      std::cerr << "usage: bench_pipeline [MODEL] [--text FILE] [--min-words N] [--threads N] [--batch-size N]\n";
      return 2;
    }
  }
  try {
    std::ifstream in(text_path);
    if (!in) throw weft::IOError("cannot open " + text_path);
    std::vector<std::string> paragraphs;
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) paragraphs.push_back(line);
    const weft::Pipeline nlp = weft::load(model);
    // Words as the pipeline counts them (its tokenizer), over one copy of the text.
    std::size_t words_once = 0;
    for (const std::string& p : paragraphs) words_once += nlp.make_doc(p).size();
    const std::size_t copies = std::max<std::size_t>(1, (min_words + words_once - 1) / words_once);
    std::vector<std::string> texts;
    texts.reserve(paragraphs.size() * copies);
    for (std::size_t c = 0; c < copies; ++c) texts.insert(texts.end(), paragraphs.begin(), paragraphs.end());
    const std::size_t total_words = words_once * copies;
    std::cout << "model: " << model << " (pipeline:";
    for (const auto& n : nlp.pipe_names()) std::cout << ' ' << n;
    std::cout << ")\ntext: " << text_path << " x " << copies << " = " << texts.size() << " docs, " << total_words
              << " words\n";

    auto run = [&](int n_threads) {
      double best = 1e30;
      for (int rep = 0; rep < 3; ++rep) {
        std::size_t next = 0, seen = 0;
        const auto t0 = std::chrono::steady_clock::now();
        nlp.pipe(
            [&]() -> std::optional<weft::PipeInput> {
              if (next == texts.size()) return std::nullopt;
              return weft::PipeInput{texts[next++], std::nullopt, {}};
            },
            [&](weft::Doc& d) { seen += d.size(); }, {batch_size, n_threads});
        best = std::min(best, std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
        if (seen != total_words) throw weft::ValueError("word count mismatch");
      }
      return static_cast<double>(total_words) / best;
    };
    const double one = run(1);
    std::cout << "1 thread:   " << static_cast<long long>(one) << " words/s (best of 3)\n";
    if (threads > 1) {
      const double many = run(threads);
      std::cout << threads << " threads:  " << static_cast<long long>(many) << " words/s (best of 3), " << many / one
                << "x\n";
    }
    std::cout << "peak RSS: " << peak_rss_mb() << " MB\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_pipeline: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
