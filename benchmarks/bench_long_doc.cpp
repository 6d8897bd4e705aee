// bench_long_doc: memory and speed of single long Docs. Joins the raw text (default: the EWT dev raw
// text) into one line of at least N words (as the model's tokenizer counts them; default 10k, 100k and
// 1M), and for each size, in a child process (so that the sizes do not share allocator state), prints
//   - the Doc's own size: its text and token records (capacity), and the RSS it added;
//   - the peak RSS while the pipeline annotates it, and the memory beyond the Doc: that peak minus the
//     RSS with the Doc made, in all and per word;
//   - words/s of the annotation alone.
// The model is loaded and warmed up first by annotating the text once as ordinary documents (one per
// line), so its tables filled on first use (folded embeddings, the word cache) are as in a
// long-running process; --cold skips that, and their filling then counts in the figures.
// --no-punct drops the sentence-final punctuation (. ! ?) from the text, so the Doc has no sentence
// start before the parser, which then works through one segment of all its words.
//   bench_long_doc [MODEL] [--text FILE] [--words N[,N...]] [--cold] [--no-punct]
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <iomanip>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "weft/error.hpp"
#include "weft/pipeline/model_io.hpp"

namespace {

// A field of /proc/self/status in kB ("VmRSS:", "VmHWM:").
long status_kb(const char* key) {
  std::ifstream f("/proc/self/status");
  std::string line;
  const std::string k(key);
  while (std::getline(f, line))
    if (line.rfind(k, 0) == 0) return std::stol(line.substr(k.size()));
  return -1;
}

// Resets VmHWM to the current RSS (Linux: "5" to /proc/self/clear_refs).
bool reset_peak() {
  std::ofstream f("/proc/self/clear_refs");
  f << "5";
  f.flush();
  return static_cast<bool>(f);
}

double mb(double kb) { return kb / 1024.0; }

}  // namespace

int main(int argc, char** argv) {
  std::string model = "models/en_ewt_sm", text_path = "data/en_ewt/dev.txt";
  std::vector<std::size_t> sizes{10000, 100000, 1000000};
  bool cold = false, no_punct = false;
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
    else if (a == "--words") {
      sizes.clear();
      std::stringstream list(next());
      for (std::string n; std::getline(list, n, ',');) sizes.push_back(std::stoul(n));
    } else if (a == "--cold") cold = true;
    else if (a == "--no-punct") no_punct = true;
    else if (!a.empty() && a[0] != '-') model = a;
    else {
      std::cerr << "usage: bench_long_doc [MODEL] [--text FILE] [--words N[,N...]] [--cold] [--no-punct]\n";
      return 2;
    }
  }
  try {
    std::ifstream in(text_path);
    if (!in) throw weft::IOError("cannot open " + text_path);
    std::vector<std::string> lines;
    for (std::string line; std::getline(in, line);) {
      if (no_punct) std::erase_if(line, [](char c) { return c == '.' || c == '!' || c == '?'; });
      if (!line.empty()) lines.push_back(line);
    }
    weft::Pipeline loaded = weft::load(model);
    loaded.set_max_length(0);  // texts of any length (nlp.max_length is 1,000,000 characters by default)
    const weft::Pipeline& nlp = loaded;
    std::vector<std::size_t> words_of;
    for (const std::string& l : lines) words_of.push_back(nlp.make_doc(l).size());
    if (!cold) {
      weft::PipeOptions one_thread;
      one_thread.n_threads = 1;
      (void)nlp.pipe(lines, one_thread);
    }
    std::cout << "model: " << model << (cold ? " (cold: its tables fill during the first Doc)" : " (warmed up on the text)")
              << "\ntext: " << text_path << " joined into one line" << (no_punct ? ", without . ! ?" : "") << '\n';
    std::cout << "RSS with the model loaded" << (cold ? "" : " and warm") << ": " << std::fixed << std::setprecision(1)
              << mb(static_cast<double>(status_kb("VmRSS:"))) << " MB\n\n";
    std::cout << std::left << std::setw(10) << "words" << std::right << std::setw(11) << "Doc MB" << std::setw(13)
              << "Doc RSS MB" << std::setw(13) << "peak RSS MB" << std::setw(15) << "beyond Doc MB" << std::setw(13)
              << "KB/word" << std::setw(12) << "words/s" << '\n';
    for (const std::size_t target : sizes) {
      std::string text;
      std::size_t words = 0;
      for (std::size_t k = 0; words < target; k = (k + 1) % lines.size()) {
        if (!text.empty()) text += ' ';
        text += lines[k];
        words += words_of[k];
      }
      std::cout.flush();
      const pid_t pid = fork();
      if (pid < 0) throw weft::IOError("fork failed");
      if (pid == 0) {
        const long rss0 = status_kb("VmRSS:");
        weft::Doc doc = nlp.make_doc(std::move(text));
        const long rss1 = status_kb("VmRSS:");
        const double doc_bytes = static_cast<double>(doc.text().capacity() + doc.tokens().capacity() * sizeof(weft::TokenData));
        if (!reset_peak()) std::cerr << "bench_long_doc: cannot reset the peak RSS; the peak counts from the fork\n";
        const auto t0 = std::chrono::steady_clock::now();
        nlp.annotate(doc);
        const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
        const long peak = status_kb("VmHWM:");
        const double n = static_cast<double>(doc.size());
        std::cout << std::left << std::setw(10) << doc.size() << std::right << std::fixed << std::setprecision(1) << std::setw(11)
                  << doc_bytes / (1024.0 * 1024.0) << std::setw(13) << mb(static_cast<double>(rss1 - rss0)) << std::setw(13)
                  << mb(static_cast<double>(peak)) << std::setw(15) << mb(static_cast<double>(peak - rss1)) << std::setw(13)
                  << std::setprecision(3) << static_cast<double>(peak - rss1) / n << std::setw(12) << std::setprecision(0)
                  << n / s << '\n';
        std::cout.flush();
        std::_Exit(0);
      }
      int status = 0;
      waitpid(pid, &status, 0);
      if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
        std::cout << std::left << std::setw(10) << words << " failed (killed or out of memory)\n";
    }
  } catch (const std::exception& e) {
    std::cerr << "bench_long_doc: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
