// Writers for the CLI's output formats: one token per line, JSONL (doc_json layout), CoNLL-U, an
// aligned table per sentence, and DocBin. All stream except DocBin, which is one blob written when
// finished.
#pragma once

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "cli/io.hpp"
#include "weft/doc/doc_bin.hpp"

namespace weft::cli {

// A readable table of one Doc: per sentence a header row and one row per word (ID, TEXT, LEMMA, UPOS,
// XPOS, FEATS; HEAD and DEPREL when the Doc has dependencies, ENT when it has entities; "_" = unset),
// multi-word tokens as CoNLL-U range rows ("2-3  don't"), columns aligned by code points, and a blank
// line after each sentence. A Doc without tokens gives nothing. With flush_to, what is made is written
// there every 64 KB (at the end of a sentence), so a long Doc's table is never held whole.
void append_table(const Doc& doc, std::string& out, std::ostream* flush_to = nullptr);
// Rows of cells as aligned columns (two spaces apart, widths in code points, no trailing spaces),
// then a blank line: the layout of append_table, for other tables.
void append_rows(const std::vector<std::vector<std::string>>& rows, std::string& out);

class DocWriter {
 public:
  // format: tokens | jsonl | conllu | table | docbin
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
