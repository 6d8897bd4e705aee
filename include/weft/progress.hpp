// A progress line for long jobs (weft run, evaluate, convert; nlp.pipe(progress=True)): documents,
// words, words/s and, when the size of the input is known, a bar, the percentage and the ETA. It is
// redrawn in place ("\r") at most every `interval` seconds and ends with a line of totals. Updates
// are a few additions and a clock read, so a job runs as fast with it as without.
//
//   weft run  41.7% [##########..............]  835 docs  17,031 words  86.2k words/s  ETA 0:02
//   weft run: 2,002 docs, 25,148 words in 0:01 (88.9k words/s)
// Without a known size the line shows the time elapsed instead of the bar and the ETA.
#pragma once

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>

namespace weft {

class Progress {
 public:
  struct Options {
    std::string label = "weft";        // shown first
    std::uint64_t total = 0;           // the size of the input in `unit`s; 0: unknown (no bar, no ETA)
    std::string unit = "bytes";        // what set_position counts ("bytes", "docs"); only named in tests
    // Seconds between redraws; negative: $WEFT_PROGRESS_INTERVAL when set (0: every update, for logs
    // and tests that want every step; 10: a quiet log), else 0.1.
    double interval = -1.0;
    // Where lines go (default: stderr, unbuffered). Each call is one whole update ("\r..." or the last
    // line with its "\n").
    std::function<void(std::string_view)> sink;
    // Seconds on a monotonic clock (default: std::chrono::steady_clock); tests give their own.
    std::function<double()> clock;
  };

  explicit Progress(Options options);
  // Drawn on stderr, redrawn at most 10 times a second (or as WEFT_PROGRESS_INTERVAL says).
  Progress(std::string label, std::uint64_t total, std::string unit = "bytes");
  // Ends the line when the job stopped before finish() (an error message then starts a line of its own).
  ~Progress();
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  // `docs` more documents with `words` words are done; redraws when `interval` has passed.
  void add(std::uint64_t docs, std::uint64_t words);
  // How much of the input (of Options::total) the documents done so far cover.
  void set_position(std::uint64_t position) noexcept { position_ = position; }
  // Writes the final line (once).
  void finish();

  // The line as it would be drawn now (final: the totals line), without "\r" or "\n".
  std::string line(bool final) const;
  std::uint64_t docs() const noexcept { return docs_; }
  std::uint64_t words() const noexcept { return words_; }

  // Whether stderr is a terminal.
  static bool stderr_is_terminal() noexcept;
  // --progress (true) / --no-progress (false) / neither (nullopt: when stderr is a terminal).
  static bool wanted(std::optional<bool> forced) noexcept;

 private:
  void draw();
  double now() const;
  Options options_;
  double start_ = 0.0;
  double last_draw_ = 0.0;
  std::uint64_t docs_ = 0, words_ = 0, position_ = 0;
  std::size_t drawn_width_ = 0;  // of the line on screen (to blank a longer one)
  bool finished_ = false;
};

}  // namespace weft
