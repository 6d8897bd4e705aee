// bench_phrase_matcher: loading and matching speed of the PhraseMatcher on a large terminology list.
// Phrases are 1-4 consecutive words of UD English EWT train sentences, drawn with a fixed-seed
// generator until --phrases distinct strings exist (multi-word expressions a real term list would
// hold, plus common single words, so the text has many matches), spread over 10 keys. Loading is
// timed from the phrase strings (tokenizing them with nlp.make_doc, then adding the Docs) and from
// ready pattern Docs (adding only). Matching runs over the raw EWT dev text (one Doc per paragraph,
// repeated to at least --min-words words, tokenized beforehand) on one thread, best of --reps passes,
// for ORTH and for LOWER (which lowercases every token of the text). Prints phrases, load seconds,
// words/s, matches and peak RSS.
//
//   bench_phrase_matcher [--train data/en_ewt/train.conllu] [--text data/en_ewt/dev.txt]
//                        [--phrases 100000] [--min-words 500000] [--reps 3] [--seed 42]
#include <sys/resource.h>
#include <time.h>

#include <algorithm>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <random>
#include <string>
#include <unordered_set>
#include <vector>

#include "weft/components/phrase_matcher/phrase_matcher.hpp"
#include "weft/error.hpp"
#include "weft/pipeline/pipeline.hpp"

namespace {

using Clock = std::chrono::steady_clock;

double seconds_since(Clock::time_point t0) { return std::chrono::duration<double>(Clock::now() - t0).count(); }

// CPU time of this thread: unlike wall time it does not grow while other processes hold the core.
double thread_cpu_s() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

double peak_rss_mb() {
  rusage u{};
  getrusage(RUSAGE_SELF, &u);
  return static_cast<double>(u.ru_maxrss) / 1024.0;
}

// The word forms of each sentence of a CoNLL-U file (syntactic words; range lines and empty nodes skipped).
std::vector<std::vector<std::string>> read_sentences(const std::string& path) {
  std::ifstream in(path);
  if (!in) throw weft::IOError("cannot open " + path);
  std::vector<std::vector<std::string>> out(1);
  std::string line;
  while (std::getline(in, line)) {
    if (line.empty()) {
      if (!out.back().empty()) out.emplace_back();
      continue;
    }
    if (line[0] == '#') continue;
    const std::size_t tab1 = line.find('\t');
    if (tab1 == std::string::npos) continue;
    const std::string id = line.substr(0, tab1);
    if (id.find_first_of("-.") != std::string::npos) continue;
    const std::size_t tab2 = line.find('\t', tab1 + 1);
    out.back().push_back(line.substr(tab1 + 1, tab2 - tab1 - 1));
  }
  if (out.back().empty()) out.pop_back();
  return out;
}

// `n` distinct phrases of 1-4 consecutive words, drawn with a fixed seed (std::mt19937_64 is specified
// by the standard, so every platform draws the same list).
std::vector<std::string> make_phrases(const std::vector<std::vector<std::string>>& sentences, std::size_t n,
                                      std::uint64_t seed) {
  std::mt19937_64 rng(seed);
  std::unordered_set<std::string> seen;
  std::vector<std::string> out;
  out.reserve(n);
  for (std::size_t tries = 0; out.size() < n; ++tries) {
    if (tries > n * 100) throw weft::ValueError("the corpus has too few distinct phrases for --phrases");
    const auto& s = sentences[rng() % sentences.size()];
    const std::size_t len = 1 + rng() % 4;
    if (s.size() < len) continue;
    const std::size_t start = rng() % (s.size() - len + 1);
    std::string phrase = s[start];
    for (std::size_t k = 1; k < len; ++k) phrase += ' ' + s[start + k];
    if (seen.insert(phrase).second) out.push_back(std::move(phrase));
  }
  return out;
}

constexpr std::size_t kKeys = 10;

// Adds docs[i] under key "TERM<i % 10>", one add() call per key.
void build(weft::PhraseMatcher& m, const std::vector<weft::Doc>& docs) {
  for (std::size_t k = 0; k < kKeys; ++k) {
    std::vector<const weft::Doc*> ptrs;
    ptrs.reserve(docs.size() / kKeys + 1);
    for (std::size_t i = k; i < docs.size(); i += kKeys) ptrs.push_back(&docs[i]);
    m.add("TERM" + std::to_string(k), std::span<const weft::Doc* const>(ptrs));
  }
}

struct MatchRun {
  double best_s = 1e30;      // wall
  double best_cpu_s = 1e30;  // thread CPU time
  std::size_t matches = 0;
};

MatchRun match_all(const weft::PhraseMatcher& m, const std::vector<weft::Doc>& docs, int reps) {
  MatchRun r;
  std::vector<weft::PhraseMatch> out;
  for (int rep = 0; rep < reps; ++rep) {
    std::size_t matches = 0;
    const auto t0 = Clock::now();
    const double c0 = thread_cpu_s();
    for (const weft::Doc& d : docs) {
      out.clear();
      m.find(d, 0, d.size(), out);
      matches += out.size();
    }
    r.best_s = std::min(r.best_s, seconds_since(t0));
    r.best_cpu_s = std::min(r.best_cpu_s, thread_cpu_s() - c0);
    r.matches = matches;
  }
  return r;
}

}  // namespace

int main(int argc, char** argv) {
  std::string train_path = "data/en_ewt/train.conllu", text_path = "data/en_ewt/dev.txt";
  std::size_t n_phrases = 100000, min_words = 500000;
  int reps = 3;
  std::uint64_t seed = 42;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    auto next = [&]() -> std::string {
      if (i + 1 >= argc) {
        std::cerr << a << " needs a value\n";
        std::exit(2);
      }
      return argv[++i];
    };
    if (a == "--train") train_path = next();
    else if (a == "--text") text_path = next();
    else if (a == "--phrases") n_phrases = std::stoul(next());
    else if (a == "--min-words") min_words = std::stoul(next());
    else if (a == "--reps") reps = std::max(1, std::stoi(next()));
    else if (a == "--seed") seed = std::stoull(next());
    else {
      std::cerr << "usage: bench_phrase_matcher [--train CONLLU] [--text FILE] [--phrases N] [--min-words N] "
                   "[--reps N] [--seed N]\n";
      return 2;
    }
  }
  try {
    const weft::Pipeline nlp = weft::Pipeline::blank("en");
    const std::vector<std::string> phrases = make_phrases(read_sentences(train_path), n_phrases, seed);
    std::size_t by_length[5] = {0, 0, 0, 0, 0};
    for (const auto& p : phrases) ++by_length[std::min<std::size_t>(4, 1 + std::count(p.begin(), p.end(), ' '))];
    std::printf("phrases: %zu distinct from %s (seed %llu; 1/2/3/4 words: %zu/%zu/%zu/%zu), %zu keys\n",
                phrases.size(), train_path.c_str(), static_cast<unsigned long long>(seed), by_length[1], by_length[2],
                by_length[3], by_length[4], kKeys);

    // Loading. The first run is what a program starting up pays (the tokenizer's cache is cold); the
    // best of `reps` is the steady figure.
    double tok_first = 0, tok_best = 1e30, build_first = 0, build_best = 1e30;
    std::size_t stored = 0, pattern_tokens = 0;
    for (int rep = 0; rep < reps; ++rep) {
      auto t0 = Clock::now();
      std::vector<weft::Doc> docs;
      docs.reserve(phrases.size());
      for (const auto& p : phrases) docs.push_back(nlp.make_doc(p));
      const double tok = seconds_since(t0);
      t0 = Clock::now();
      weft::PhraseMatcher m(nlp.vocab());
      build(m, docs);
      const double b = seconds_since(t0);
      if (rep == 0) {
        tok_first = tok;
        build_first = b;
      }
      tok_best = std::min(tok_best, tok);
      build_best = std::min(build_best, b);
      stored = m.n_phrases();
      pattern_tokens = 0;
      for (const auto& d : docs) pattern_tokens += d.size();
    }
    std::printf("pattern tokens: %zu; distinct (key, token sequence) pairs stored: %zu\n", pattern_tokens, stored);
    std::printf("load, tokenize + build (make_doc each phrase, then add):  first %.3f s, best of %d %.3f s\n",
                tok_first + build_first, reps, tok_best + build_best);
    std::printf("load, build only (add ready pattern Docs):                first %.3f s, best of %d %.3f s\n",
                build_first, reps, build_best);

    // The text, tokenized once.
    std::ifstream in(text_path);
    if (!in) throw weft::IOError("cannot open " + text_path);
    std::vector<std::string> paragraphs;
    std::string line;
    while (std::getline(in, line))
      if (!line.empty()) paragraphs.push_back(line);
    std::vector<weft::Doc> text;
    std::size_t words = 0, copies = 0;
    while (words < min_words && !paragraphs.empty()) {
      for (const auto& p : paragraphs) {
        text.push_back(nlp.make_doc(p));
        words += text.back().size();
      }
      ++copies;
    }
    std::printf("text: %s x %zu = %zu docs, %zu words\n", text_path.c_str(), copies, text.size(), words);

    std::vector<weft::Doc> docs;
    docs.reserve(phrases.size());
    for (const auto& p : phrases) docs.push_back(nlp.make_doc(p));
    for (const char* attr : {"ORTH", "LOWER"}) {
      weft::PhraseMatcher m(nlp.vocab(), attr);
      build(m, docs);
      match_all(m, text, 1);  // warm-up
      const MatchRun r = match_all(m, text, reps);
      std::printf("match %-5s, 1 thread, best of %d: %.3f s = %.2f M words/s (CPU time %.3f s = %.2f M words/s), "
                  "%zu matches\n",
                  attr, reps, r.best_s, static_cast<double>(words) / r.best_s / 1e6, r.best_cpu_s,
                  static_cast<double>(words) / r.best_cpu_s / 1e6, r.matches);
    }
    std::printf("peak RSS: %.1f MB\n", peak_rss_mb());
  } catch (const std::exception& e) {
    std::cerr << "bench_phrase_matcher: " << e.what() << '\n';
    return 1;
  }
  return 0;
}
