// bench_pipeline: annotation speed of a trained pipeline. Reads raw text (default: the EWT dev raw
// text, one document per paragraph), repeats it to at least --min-words words, and streams it through
// nlp.pipe on 1 thread and on N threads (the whole pipeline: tokenizer + every component), printing
// words/sec for each, the speed-up, and the peak resident memory. A last single-thread pass times
// the tokenizer and each component on its own (words/sec of that stage alone; the parser's figure
// excludes the tok2vec it reads).
//   bench_pipeline [MODEL] [--text FILE] [--min-words N] [--threads N] [--batch-size N] [--reps N]
//                  [--disable NAME]...   (leave components out, e.g. --disable parser for the tagger family)
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
  int threads = 2, reps = 3;
  std::vector<std::string> disabled;
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
    else if (a == "--reps") reps = std::max(1, std::stoi(next()));
    else if (a == "--disable") disabled.push_back(next());
    else if (!a.empty() && a[0] != '-') model = a;
    else {
      std::cerr << "usage: bench_pipeline [MODEL] [--text FILE] [--min-words N] [--threads N] [--batch-size N] [--reps N] "
                   "[--disable NAME]...\n";
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
    weft::Pipeline loaded = weft::load(model);
    for (const std::string& name : disabled) loaded.disable_pipe(name);
    const weft::Pipeline& nlp = loaded;
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

    // One timed pass; the 1-thread and N-thread passes alternate (best of `reps` each), so a change
    // in the VM's speed during the run affects both figures and their ratio alike.
    auto pass = [&](int n_threads) {
      std::size_t next = 0, seen = 0;
      const auto t0 = std::chrono::steady_clock::now();
      nlp.pipe(
          [&]() -> std::optional<weft::PipeInput> {
            if (next == texts.size()) return std::nullopt;
            return weft::PipeInput{texts[next++], std::nullopt, {}};
          },
          [&](weft::Doc& d) { seen += d.size(); }, {batch_size, n_threads});
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (seen != total_words) throw weft::ValueError("word count mismatch");
      return s;
    };
    double one = 1e30, many = 1e30;
    for (int rep = 0; rep < reps; ++rep) {
      one = std::min(one, pass(1));
      if (threads > 1) many = std::min(many, pass(threads));
    }
    one = static_cast<double>(total_words) / one;
    std::cout << "1 thread:   " << static_cast<long long>(one) << " words/s (best of " << reps << ")\n";
    if (threads > 1) {
      many = static_cast<double>(total_words) / many;
      std::cout << threads << " threads:  " << static_cast<long long>(many) << " words/s (best of " << reps << "), " << many / one
                << "x\n";
    }
    // Each stage alone: tokenize everything, then run the components batch by batch, timing each.
    {
      using Clock = std::chrono::steady_clock;
      const auto names = nlp.pipe_names();
      std::vector<double> secs(names.size(), 0.0);
      double tokenize_s = 0.0;
      for (std::size_t at = 0; at < texts.size(); at += batch_size) {
        const std::size_t end = std::min(texts.size(), at + batch_size);
        std::vector<weft::Doc> docs;
        docs.reserve(end - at);
        const auto t0 = Clock::now();
        for (std::size_t k = at; k < end; ++k) docs.push_back(nlp.make_doc(texts[k]));
        tokenize_s += std::chrono::duration<double>(Clock::now() - t0).count();
        weft::PipeContext context;
        for (std::size_t c = 0; c < names.size(); ++c) {
          const auto t1 = Clock::now();
          nlp.get_pipe(names[c]).pipe(std::span<weft::Doc>(docs), context);
          secs[c] += std::chrono::duration<double>(Clock::now() - t1).count();
        }
      }
      std::cout << "each stage alone, 1 thread (words/s): tokenizer " << static_cast<long long>(static_cast<double>(total_words) / tokenize_s);
      for (std::size_t c = 0; c < names.size(); ++c)
        std::cout << ", " << names[c] << ' ' << static_cast<long long>(static_cast<double>(total_words) / secs[c]);
      std::cout << '\n';
    }
    std::cout << "peak RSS: " << peak_rss_mb() << " MB\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_pipeline: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
