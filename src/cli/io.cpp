#include "cli/io.hpp"

#include <sys/stat.h>
#include <unistd.h>

#include <filesystem>
#include <streambuf>

#include "weft/doc/doc_bin.hpp"
#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::cli {

std::string resolve_format(const std::string& format, const std::string& path, const std::string& fallback) {
  if (format != "auto") return format;
  const std::string ext = std::filesystem::path(path).extension().string();
  if (ext == ".jsonl" || ext == ".json") return "jsonl";
  if (ext == ".conllu" || ext == ".conll") return "conllu";
  if (ext == ".docbin" || ext == ".weft" || ext == ".spacy") return "docbin";
  if (ext == ".txt") return "text";
  return fallback;
}

namespace {

// A read buffer over another that counts the bytes its reader has consumed. It takes only what the
// source has ready (one read at a time), so a reader of a pipe gets lines as they come.
class CountingBuf : public std::streambuf {
 public:
  explicit CountingBuf(std::streambuf* source) : source_(source), buffer_(1 << 16) {}
  std::uint64_t consumed() const { return pulled_ - static_cast<std::uint64_t>(egptr() - gptr()); }

 protected:
  int_type underflow() override {
    if (gptr() < egptr()) return traits_type::to_int_type(*gptr());
    char* b = buffer_.data();
    std::streamsize n = 0;
    std::streamsize ready = source_->in_avail();
    if (ready <= 0) {
      const int_type c = source_->sbumpc();  // one read from the source
      if (traits_type::eq_int_type(c, traits_type::eof())) return traits_type::eof();
      b[n++] = traits_type::to_char_type(c);
      ready = source_->in_avail();
    }
    if (ready > 0) n += source_->sgetn(b + n, std::min<std::streamsize>(ready, static_cast<std::streamsize>(buffer_.size()) - n));
    pulled_ += static_cast<std::uint64_t>(n);
    setg(b, b, b + n);
    return traits_type::to_int_type(*gptr());
  }

 private:
  std::streambuf* source_;
  std::vector<char> buffer_;
  std::uint64_t pulled_ = 0;
};

}  // namespace

std::uint64_t input_size(const std::string& path) {
  struct stat st {};
  if (path == "-") {
    if (::fstat(0, &st) != 0 || !S_ISREG(st.st_mode)) return 0;
    const off_t at = ::lseek(0, 0, SEEK_CUR);
    return static_cast<std::uint64_t>(st.st_size) - static_cast<std::uint64_t>(at > 0 && at <= st.st_size ? at : 0);
  }
  if (::stat(path.c_str(), &st) != 0 || !S_ISREG(st.st_mode)) return 0;
  return static_cast<std::uint64_t>(st.st_size);
}

InputReader::InputReader(const InputOptions& options, std::shared_ptr<Vocab> vocab)
    : options_(options), vocab_(std::move(vocab)) {
  format_ = resolve_format(options.format, options.path, "text");
  name_ = options.path == "-" ? "<stdin>" : options.path;
  size_ = input_size(options.path);
  if (format_ == "docbin") {
    DocBin bin = options.path == "-" ? DocBin::from_bytes(std::string(std::istreambuf_iterator<char>(std::cin), {}),
                                                          "<stdin>")
                                     : DocBin::from_disk(options.path);
    docbin_docs_ = bin.get_docs(vocab_);
    return;
  }
  if (options.path == "-") {
    in_ = &std::cin;
  } else {
    if (std::filesystem::is_directory(options.path)) throw IOError("is a directory, not an input file", {options.path});
    file_ = std::make_unique<std::ifstream>(options.path, std::ios::binary);
    if (!*file_) throw IOError("cannot open input file", {options.path});
    in_ = file_.get();
  }
  if (options.count_bytes) {
    counter_ = std::make_unique<CountingBuf>(in_->rdbuf());
    counted_ = std::make_unique<std::istream>(counter_.get());
    in_ = counted_.get();
  }
  if (format_ == "jsonl") {
    jsonl_ = std::make_unique<JsonlReader>(*in_, vocab_, name_, options.skip_bad);
  } else if (format_ == "conllu") {
    ConlluReadOptions co;
    co.group = options.sentence_docs ? ConlluReadOptions::Group::Sentence : ConlluReadOptions::Group::Document;
    co.skip_bad = options.skip_bad;
    conllu_ = std::make_unique<ConlluReader>(*in_, vocab_, name_, co);
  } else if (format_ != "text") {
    throw ValueError("unknown input format \"" + format_ + "\" (text, jsonl, conllu, docbin)");
  }
}

InputReader::~InputReader() = default;

std::uint64_t InputReader::position() const {
  if (format_ == "docbin")
    return docbin_docs_.empty() ? size_ : size_ * docbin_next_ / docbin_docs_.size();
  return counter_ ? static_cast<const CountingBuf*>(counter_.get())->consumed() : 0;
}

std::vector<std::string> InputReader::skipped() const {
  std::vector<std::string> out = skipped_;
  if (jsonl_) out.insert(out.end(), jsonl_->skipped().begin(), jsonl_->skipped().end());
  if (conllu_) out.insert(out.end(), conllu_->skipped().begin(), conllu_->skipped().end());
  return out;
}

std::optional<PipeInput> InputReader::next() {
  if (format_ == "docbin") {
    if (docbin_next_ == docbin_docs_.size()) return std::nullopt;
    return PipeInput{{}, std::move(docbin_docs_[docbin_next_++]), {}};
  }
  if (jsonl_) {
    std::optional<JsonlRecord> r = jsonl_->next();
    if (!r) return std::nullopt;
    record_line_ = r->line;
    return PipeInput{std::move(r->text), std::move(r->doc), std::move(r->meta_json)};
  }
  if (conllu_) {
    std::optional<Doc> d = conllu_->next();
    if (!d) return std::nullopt;
    return PipeInput{{}, std::move(d), {}};
  }
  return next_text();
}

std::optional<PipeInput> InputReader::next_text() {
  // A record is a line, a block of lines up to a blank line, or the whole input. Each record's
  // UTF-8 is checked here, where the line number is known.
  while (!done_) {
    std::string record, line;
    std::uint64_t first_line = 0;
    bool got = false;
    while (std::getline(*in_, line)) {
      ++line_;
      if (!line.empty() && line.back() == '\r') line.pop_back();
      if (options_.unit == TextUnit::Line) {
        record = std::move(line);
        first_line = line_;
        got = true;
        break;
      }
      if (options_.unit == TextUnit::Block && line.find_first_not_of(" \t") == std::string::npos) {
        if (got) break;
        continue;
      }
      if (!got) first_line = line_;
      if (got) record += '\n';
      record += line;
      got = true;
    }
    if (in_->bad()) throw IOError("error while reading", {name_, line_});
    if (!got) {
      done_ = true;
      return std::nullopt;
    }
    const std::size_t bad = utf8::first_invalid(record);
    if (bad != utf8::npos) {
      // Name the line and column of the bad byte inside a multi-line record.
      std::uint64_t ln = first_line, col = 1;
      for (std::size_t i = 0; i < bad; ++i) {
        if (record[i] == '\n') { ++ln; col = 1; } else { ++col; }
      }
      if (options_.invalid_utf8 == InvalidUtf8::Replace) {
        record = utf8::repair(record);
      } else {
        EncodingError e("invalid UTF-8 (use --invalid-utf8 replace to substitute U+FFFD)", {name_, ln, col});
        if (!options_.skip_bad) throw e;
        skipped_.push_back(e.what());
        continue;
      }
    }
    record_line_ = first_line;
    return PipeInput{std::move(record), std::nullopt, {}};
  }
  return std::nullopt;
}

InputFiles::InputFiles(std::vector<std::string> paths, const InputOptions& options, std::shared_ptr<Vocab> vocab)
    : paths_(std::move(paths)), options_(options), vocab_(std::move(vocab)) {
  if (paths_.empty()) paths_.push_back("-");
  for (const std::string& p : paths_) {
    const std::uint64_t size = input_size(p);
    if (size == 0) {
      total_bytes_ = 0;
      break;
    }
    total_bytes_ += size;
  }
}

std::uint64_t InputFiles::position() const { return done_bytes_ + (reader_ ? reader_->position() : 0); }

std::optional<PipeInput> InputFiles::next() {
  for (;;) {
    if (!reader_) {
      if (next_path_ == paths_.size()) return std::nullopt;
      InputOptions in = options_;
      in.path = paths_[next_path_++];
      reader_ = std::make_unique<InputReader>(in, vocab_);
    }
    std::optional<PipeInput> in = reader_->next();
    if (in) {
      where_ = reader_->where();
      return in;
    }
    const std::vector<std::string> s = reader_->skipped();
    skipped_.insert(skipped_.end(), s.begin(), s.end());
    done_bytes_ += std::max(reader_->size(), reader_->position());
    reader_.reset();
  }
}

std::vector<std::string> InputFiles::skipped() const {
  std::vector<std::string> out = skipped_;
  if (reader_) {
    const std::vector<std::string> s = reader_->skipped();
    out.insert(out.end(), s.begin(), s.end());
  }
  return out;
}

Output::Output(const std::string& path, bool binary) : path_(path == "-" ? "<stdout>" : path) {
  buffer_.resize(1 << 20);
  if (path == "-") {
    out_ = &std::cout;
  } else {
    file_ = std::make_unique<std::ofstream>(path, binary ? std::ios::binary | std::ios::trunc : std::ios::trunc);
    if (!*file_) throw IOError("cannot open output file", {path});
    out_ = file_.get();
  }
  out_->rdbuf()->pubsetbuf(buffer_.data(), static_cast<std::streamsize>(buffer_.size()));
}

void Output::finish() {
  out_->flush();
  if (!*out_) throw IOError("error while writing output", {path_});
}

std::size_t report_skipped(const std::vector<std::string>& skipped) {
  for (const auto& s : skipped) std::cerr << "weft: skipped: " << s << '\n';
  if (!skipped.empty()) std::cerr << "weft: skipped " << skipped.size() << " bad record(s)\n";
  return skipped.size();
}

}  // namespace weft::cli
