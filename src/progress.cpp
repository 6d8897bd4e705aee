#include "weft/progress.hpp"

#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <cstdlib>

namespace weft {

namespace {

// 1234567 -> "1,234,567"
std::string grouped(std::uint64_t n) {
  std::string digits = std::to_string(n), out;
  for (std::size_t i = 0; i < digits.size(); ++i) {
    if (i > 0 && (digits.size() - i) % 3 == 0) out += ',';
    out += digits[i];
  }
  return out;
}

// 950 -> "950", 18234 -> "18.2k", 2.5e6 -> "2.50M"
std::string rate(double per_second) {
  char buf[32];
  if (per_second < 1e4) std::snprintf(buf, sizeof buf, "%.0f", per_second);
  else if (per_second < 1e6) std::snprintf(buf, sizeof buf, "%.1fk", per_second / 1e3);
  else std::snprintf(buf, sizeof buf, "%.2fM", per_second / 1e6);
  return buf;
}

// Seconds as "0:07", "12:34" or "1:02:03".
std::string clock_time(double seconds) {
  const auto s = static_cast<std::uint64_t>(std::max(0.0, std::round(seconds)));
  char buf[32];
  if (s >= 3600) std::snprintf(buf, sizeof buf, "%llu:%02llu:%02llu", static_cast<unsigned long long>(s / 3600),
                               static_cast<unsigned long long>(s / 60 % 60), static_cast<unsigned long long>(s % 60));
  else std::snprintf(buf, sizeof buf, "%llu:%02llu", static_cast<unsigned long long>(s / 60), static_cast<unsigned long long>(s % 60));
  return buf;
}

void write_stderr(std::string_view s) {
  while (!s.empty()) {
    const ssize_t n = ::write(2, s.data(), s.size());
    if (n <= 0) return;  // stderr closed or full: progress is not worth failing for
    s.remove_prefix(static_cast<std::size_t>(n));
  }
}

}  // namespace

Progress::Progress(Options options) : options_(std::move(options)) {
  if (!options_.sink) options_.sink = write_stderr;
  if (options_.interval < 0) {
    options_.interval = 0.1;
    if (const char* env = std::getenv("WEFT_PROGRESS_INTERVAL")) {
      char* end = nullptr;
      const double v = std::strtod(env, &end);
      if (end != env && v >= 0 && std::isfinite(v)) options_.interval = v;
    }
  }
  if (!options_.clock)
    options_.clock = [] {
      return std::chrono::duration<double>(std::chrono::steady_clock::now().time_since_epoch()).count();
    };
  start_ = last_draw_ = now();
}

Progress::Progress(std::string label, std::uint64_t total, std::string unit)
    : Progress([&] {
        Options o;
        o.label = std::move(label);
        o.total = total;
        o.unit = std::move(unit);
        return o;
      }()) {}

Progress::~Progress() {
  if (!finished_ && drawn_width_ > 0) {
    try {
      options_.sink("\n");
    } catch (...) {
    }
  }
}

double Progress::now() const { return options_.clock(); }

bool Progress::stderr_is_terminal() noexcept { return ::isatty(2) == 1; }

bool Progress::wanted(std::optional<bool> forced) noexcept { return forced ? *forced : stderr_is_terminal(); }

void Progress::add(std::uint64_t docs, std::uint64_t words) {
  docs_ += docs;
  words_ += words;
  const double t = now();
  if (t - last_draw_ >= options_.interval) {
    last_draw_ = t;
    draw();
  }
}

std::string Progress::line(bool final) const {
  const double elapsed = std::max(1e-9, now() - start_);
  const double wps = static_cast<double>(words_) / elapsed;
  if (final) {
    return options_.label + ": " + grouped(docs_) + (docs_ == 1 ? " doc, " : " docs, ") + grouped(words_) +
           (words_ == 1 ? " word in " : " words in ") + clock_time(elapsed) + " (" + rate(wps) + " words/s)";
  }
  std::string out = options_.label;
  if (options_.total > 0) {
    const double frac = std::min(1.0, static_cast<double>(position_) / static_cast<double>(options_.total));
    char pct[16];
    std::snprintf(pct, sizeof pct, "%5.1f%%", 100.0 * frac);
    constexpr int kWidth = 24;
    const int filled = static_cast<int>(frac * kWidth);
    out += ' ';
    out += pct;
    out += " [" + std::string(static_cast<std::size_t>(filled), '#') +
           std::string(static_cast<std::size_t>(kWidth - filled), '.') + "]";
  }
  out += "  " + grouped(docs_) + (docs_ == 1 ? " doc  " : " docs  ") + grouped(words_) + (words_ == 1 ? " word  " : " words  ") +
         rate(wps) + " words/s";
  if (options_.total > 0) {
    // The ETA once the share done says something: 1% of the input, or 2 seconds in (the first Docs
    // come after the pipeline's start-up and a whole batch, which would make a first guess far off).
    const double frac = static_cast<double>(position_) / static_cast<double>(options_.total);
    out += frac >= 0.01 || (frac > 0 && elapsed >= 2.0) ? "  ETA " + clock_time(elapsed * (1.0 - std::min(1.0, frac)) / frac)
                                                          : "  ETA ?";
  } else {
    out += "  " + clock_time(elapsed);
  }
  return out;
}

void Progress::draw() {
  std::string l = line(false);
  const std::size_t width = l.size();
  if (width < drawn_width_) l.append(drawn_width_ - width, ' ');
  drawn_width_ = width;
  options_.sink("\r" + l);
}

void Progress::finish() {
  if (finished_) return;
  finished_ = true;
  std::string l = line(true);
  const std::size_t width = l.size();
  if (width < drawn_width_) l.append(drawn_width_ - width, ' ');
  options_.sink((drawn_width_ > 0 ? "\r" : "") + l + "\n");
}

}  // namespace weft
