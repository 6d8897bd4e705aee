// bench_pipeline: annotation speed of a trained pipeline. Reads raw text (default: the EWT dev raw
// text, one document per paragraph), repeats it to at least --min-words words, and streams it through
// nlp.pipe on 1 thread and on N threads (the whole pipeline: tokenizer + every component), printing
// words/sec for each, the speed-up, and the peak resident memory. A last single-thread pass times
// the tokenizer and each component on its own (words/sec of that stage alone; the parser's figure
// excludes the tok2vec it reads).
// With --device cuda:N the same text also goes through a copy of the pipeline on that GPU (batches of
// --device-batch-size documents, on 1 and N worker threads), in the same run as the CPU passes: words/s,
// the ratio to the CPU's one thread, the GPU's peak memory (its caching allocator) and each stage alone
// on the GPU.
//   bench_pipeline [MODEL] [--text FILE] [--min-words N] [--threads N] [--batch-size N] [--reps N]
//                  [--disable NAME]...   (leave components out, e.g. --disable parser for the tagger family)
//                  [--device cuda:N] [--device-batch-size N]
//                  [--keep-tensors]   (every Doc keeps its tok2vec output, doc.tensor: what that costs)
#include <sys/resource.h>

#include <chrono>
#include <cstring>
#include <fstream>
#include <iostream>
#include <optional>
#include <sstream>
#include <string>
#include <vector>

#include "weft/backend/device_info.hpp"
#include "weft/backend/ops.hpp"
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
  std::size_t min_words = 500000, batch_size = 128, device_batch_size = 4096;
  std::string device_name;
  int threads = 2, reps = 3;
  std::vector<std::string> disabled;
  bool keep_tensors = false;
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
    else if (a == "--device") device_name = next();
    else if (a == "--device-batch-size") device_batch_size = std::stoul(next());
    else if (a == "--keep-tensors") keep_tensors = true;
    else if (!a.empty() && a[0] != '-') model = a;
    else {
      std::cerr << "usage: bench_pipeline [MODEL] [--text FILE] [--min-words N] [--threads N] [--batch-size N] [--reps N] "
                   "[--disable NAME]... [--device cuda:N] [--device-batch-size N] [--keep-tensors]\n";
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
    loaded.set_keep_tensors(keep_tensors);  // Doc::tensor on every Doc (spaCy's doc.tensor)
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

    // The GPU's copy of the pipeline, when asked for (an error naming CUDA when there is none).
    std::optional<weft::Pipeline> on_device;
    weft::backend::Device device = weft::backend::Device::cpu();
    if (!device_name.empty()) {
      device = weft::backend::Device::parse(device_name);
      on_device.emplace(weft::load(model));
      for (const std::string& name : disabled) on_device->disable_pipe(name);
      on_device->to(device);
    }

    // One timed pass; the passes alternate (best of `reps` each), so a change in the VM's speed during
    // the run affects every figure and their ratios alike.
    auto pass = [&](const weft::Pipeline& p, int n_threads, std::size_t batch) {
      std::size_t next = 0, seen = 0;
      const auto t0 = std::chrono::steady_clock::now();
      p.pipe(
          [&]() -> std::optional<weft::PipeInput> {
            if (next == texts.size()) return std::nullopt;
            return weft::PipeInput{texts[next++], std::nullopt, {}};
          },
          [&](weft::Doc& d) { seen += d.size(); }, {batch, n_threads});
      const double s = std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count();
      if (seen != total_words) throw weft::ValueError("word count mismatch");
      return s;
    };
    if (on_device) {
      (void)pass(*on_device, 1, device_batch_size);  // warm-up: the allocator's blocks, cuBLAS's kernels
      weft::backend::reset_peak_device_memory(device);
    }
    double one = 1e30, many = 1e30, dev_one = 1e30, dev_many = 1e30;
    for (int rep = 0; rep < reps; ++rep) {
      one = std::min(one, pass(nlp, 1, batch_size));
      if (threads > 1) many = std::min(many, pass(nlp, threads, batch_size));
      if (on_device) {
        dev_one = std::min(dev_one, pass(*on_device, 1, device_batch_size));
        if (threads > 1) dev_many = std::min(dev_many, pass(*on_device, threads, device_batch_size));
      }
    }
    const auto words_per_s = [&](double seconds) { return static_cast<double>(total_words) / seconds; };
    one = words_per_s(one);
    std::cout << "1 thread:   " << static_cast<long long>(one) << " words/s (best of " << reps << ")\n";
    if (threads > 1) {
      many = words_per_s(many);
      std::cout << threads << " threads:  " << static_cast<long long>(many) << " words/s (best of " << reps << "), " << many / one
                << "x\n";
    }
    if (on_device) {
      dev_one = words_per_s(dev_one);
      std::cout << device.str() << ", 1 thread:  " << static_cast<long long>(dev_one) << " words/s (best of " << reps
                << ", batches of " << device_batch_size << " docs), " << dev_one / one << "x the CPU's 1 thread\n";
      if (threads > 1) {
        dev_many = words_per_s(dev_many);
        std::cout << device.str() << ", " << threads << " threads: " << static_cast<long long>(dev_many) << " words/s, "
                  << dev_many / one << "x the CPU's 1 thread\n";
      }
      const weft::backend::DeviceMemoryStats m = weft::backend::device_memory_stats(device);
      std::cout << device.str() << " peak memory: " << static_cast<double>(m.peak) / (1 << 20) << " MB in use ("
                << static_cast<double>(m.reserved) / (1 << 20) << " MB reserved)\n";
    }
    // Each stage alone: tokenize everything, then run the components batch by batch, timing each (on a
    // GPU waiting for its queued work at the end of each stage).
    const auto stages = [&](const weft::Pipeline& p, std::size_t batch, const char* what) {
      using Clock = std::chrono::steady_clock;
      const auto names = p.pipe_names();
      std::vector<double> secs(names.size(), 0.0);
      double tokenize_s = 0.0;
      weft::backend::Ops& ops = weft::backend::ops(p.device());
      for (std::size_t at = 0; at < texts.size(); at += batch) {
        const std::size_t end = std::min(texts.size(), at + batch);
        std::vector<weft::Doc> docs;
        docs.reserve(end - at);
        const auto t0 = Clock::now();
        for (std::size_t k = at; k < end; ++k) docs.push_back(p.make_doc(texts[k]));
        tokenize_s += std::chrono::duration<double>(Clock::now() - t0).count();
        weft::PipeContext context;
        for (std::size_t c = 0; c < names.size(); ++c) {
          const auto t1 = Clock::now();
          p.get_pipe(names[c]).pipe(std::span<weft::Doc>(docs), context);
          ops.synchronize();
          secs[c] += std::chrono::duration<double>(Clock::now() - t1).count();
        }
      }
      std::cout << "each stage alone, " << what << " (words/s): tokenizer "
                << static_cast<long long>(static_cast<double>(total_words) / tokenize_s);
      for (std::size_t c = 0; c < names.size(); ++c)
        std::cout << ", " << names[c] << ' ' << static_cast<long long>(static_cast<double>(total_words) / secs[c]);
      std::cout << '\n';
    };
    stages(nlp, batch_size, "1 thread");
    if (on_device) stages(*on_device, device_batch_size, (device.str() + ", 1 thread").c_str());
    std::cout << "peak RSS: " << peak_rss_mb() << " MB\n";
  } catch (const std::exception& e) {
    std::cerr << "bench_pipeline: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
