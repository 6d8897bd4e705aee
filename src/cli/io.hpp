// Input and output plumbing shared by the weft subcommands: files or stdin/stdout ("-"), streaming
// readers that turn text / JSONL / CoNLL-U input into PipeInput records one at a time, buffered
// writers for each output format, and the policy for bad records (stop with an error naming the
// file and line, or skip and report them at the end).
#pragma once

#include <cstdint>
#include <fstream>
#include <functional>
#include <iostream>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/doc/jsonl.hpp"
#include "weft/pipeline/pipeline.hpp"

namespace weft::cli {

enum class InvalidUtf8 { Error, Replace };

// How plain text input is cut into documents.
enum class TextUnit { Line, Block, File };

struct InputOptions {
  std::string path = "-";        // "-" = stdin
  std::string format = "auto";   // text | jsonl | conllu | docbin | auto (from the extension; text for stdin)
  TextUnit unit = TextUnit::Line;
  bool skip_bad = false;
  InvalidUtf8 invalid_utf8 = InvalidUtf8::Error;
  bool sentence_docs = false;    // CoNLL-U: one Doc per sentence
  bool count_bytes = false;      // count the bytes the readers consume (InputReader::position), for progress
};

std::string resolve_format(const std::string& format, const std::string& path, const std::string& fallback);

// A stream of pipeline inputs from a file or stdin. Errors name the file and line.
class InputReader {
 public:
  InputReader(const InputOptions& options, std::shared_ptr<Vocab> vocab);
  ~InputReader();
  std::optional<PipeInput> next();
  // "file:line N: cause" for every record skipped (skip_bad).
  std::vector<std::string> skipped() const;
  const std::string& format() const { return format_; }
  // The input's name and the first line of the record next() returned last (text and JSONL; 0 otherwise).
  Location where() const { return {name_, record_line_}; }
  // The input's size in bytes (a file, or stdin redirected from one); 0 when unknown (a pipe).
  std::uint64_t size() const { return size_; }
  // The bytes consumed so far (with InputOptions::count_bytes; DocBin: the share of its Docs returned).
  std::uint64_t position() const;

 private:
  std::optional<PipeInput> next_text();
  InputOptions options_;
  std::shared_ptr<Vocab> vocab_;
  std::string format_;
  std::string name_;
  std::unique_ptr<std::ifstream> file_;
  std::unique_ptr<std::streambuf> counter_;  // a CountingBuf over the file's or stdin's buffer
  std::unique_ptr<std::istream> counted_;
  std::istream* in_ = nullptr;
  std::uint64_t size_ = 0;
  std::uint64_t line_ = 0;
  std::uint64_t record_line_ = 0;
  bool done_ = false;
  std::vector<std::string> skipped_;
  std::unique_ptr<JsonlReader> jsonl_;
  std::unique_ptr<ConlluReader> conllu_;
  std::vector<Doc> docbin_docs_;
  std::size_t docbin_next_ = 0;
};

// Several inputs read one after the other (none = stdin), each with its own InputReader, as one
// stream: the source of Pipeline::pipe for commands that take any number of input files.
class InputFiles {
 public:
  InputFiles(std::vector<std::string> paths, const InputOptions& options, std::shared_ptr<Vocab> vocab);
  std::optional<PipeInput> next();
  // The records skipped so far (skip_bad), of every input read.
  std::vector<std::string> skipped() const;
  // Where the record next() returned last comes from (InputReader::where).
  Location where() const { return where_; }
  // The inputs' total size in bytes, 0 when one of them has no known size (a pipe); and the bytes
  // consumed so far (needs InputOptions::count_bytes).
  std::uint64_t total_bytes() const { return total_bytes_; }
  std::uint64_t position() const;

 private:
  std::vector<std::string> paths_;
  InputOptions options_;
  std::shared_ptr<Vocab> vocab_;
  std::size_t next_path_ = 0;
  std::unique_ptr<InputReader> reader_;
  std::vector<std::string> skipped_;  // of the inputs finished
  Location where_;
  std::uint64_t total_bytes_ = 0;
  std::uint64_t done_bytes_ = 0;  // of the inputs finished
};

// The size of an input file ("-": stdin when it is a regular file), 0 when unknown.
std::uint64_t input_size(const std::string& path);

// An output file or stdout with a large buffer.
class Output {
 public:
  explicit Output(const std::string& path, bool binary = false);
  std::ostream& stream() { return *out_; }
  void finish();  // flushes; throws IOError on a write error (disk full, closed pipe)

 private:
  std::string path_;
  std::unique_ptr<std::ofstream> file_;
  std::ostream* out_;
  std::vector<char> buffer_;
};

// Prints the skipped-record report to stderr; returns the number skipped.
std::size_t report_skipped(const std::vector<std::string>& skipped);

}  // namespace weft::cli
