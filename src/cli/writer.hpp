// Writers for the CLI's output formats: one token per line, JSONL (doc_json layout), CoNLL-U and
// DocBin. All stream except DocBin, which is one blob written when finished.
#pragma once

#include <memory>
#include <string>

#include "cli/io.hpp"
#include "weft/doc/doc_bin.hpp"

namespace weft::cli {

class DocWriter {
 public:
  // format: tokens | jsonl | conllu | docbin
  DocWriter(const std::string& format, const std::string& path);
  void write(const Doc& doc);
  void finish();
  const std::string& format() const { return format_; }

 private:
  std::string format_;
  Output out_;
  std::unique_ptr<ConlluWriter> conllu_;
  DocBin docbin_;
  std::string line_;
};

}  // namespace weft::cli
