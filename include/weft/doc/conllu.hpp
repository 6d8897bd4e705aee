// CoNLL-U reading and writing (https://universaldependencies.org/format.html). The reader builds Docs
// whose text is the surface text (SpaceAfter=No respected, sentences joined by a space, paragraphs
// (# newpar) by a newline); tokens are the syntactic words, multi-word tokens are marked with
// TOKEN_MWT_NEXT. Comments, MISC, DEPS, range-line fields and empty nodes are kept in DocExtras, so
// reading a file and writing it back gives the identical bytes. NER=<IOB2 tag> in MISC becomes the
// token's entity annotation.
//
// Mapping and limits (tests/cpp/test_conllu.cpp shows each):
// - FORM is the token text. Words of a multi-word token must concatenate to the range line's form (true
//   for English, as "don't" = "do" + "n't"): a token is a slice of the text, so "du" = "de" + "le" is
//   rejected with a FormatError naming the line.
// - LEMMA/XPOS/FEATS/DEPREL become hashes (interned in the Doc), UPOS the enum, HEAD a relative offset
//   (root: 0 with dep "root"; "_" and DEPREL "_" leave both unset, so HEAD 0 with DEPREL "_" is written
//   back as "_"). DEPS is kept raw; MISC is kept raw unless it only says SpaceAfter=No and/or NER=, which
//   the token records already hold.
// - SpacesAfter= (UD escapes \s \t \r \n \p \\ \uXXXX) puts exactly that whitespace in the text;
//   SpacesBefore= on the first word of a Doc gives the text's leading whitespace (elsewhere it is kept
//   raw only). A sentence whose last word has SpaceAfter=No is followed by no separator at all.
// - A last sentence without the closing blank line (a file cut after a complete line) is read; a line
//   cut in the middle is reported by its column count. A trailing '\r' (CRLF files) and a leading
//   byte order mark are dropped.
// - The writer cannot represent a Doc without tokens: it writes nothing for it. It throws ValueError for
//   a token it cannot write (a head outside the token's sentence, a tab or line break in a field).
#pragma once

#include <cstdint>
#include <istream>
#include <memory>
#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include "weft/doc/doc.hpp"

namespace weft {

struct ConlluReadOptions {
  // One Doc per document (# newdoc; the whole file when there are none) or one per sentence.
  enum class Group { Document, Sentence };
  Group group = Group::Document;
  // Skip a malformed sentence (recording the error) instead of throwing.
  bool skip_bad = false;
};

class ConlluReader {
 public:
  // `source` names the input in errors (a path or "<stdin>").
  ConlluReader(std::istream& in, std::shared_ptr<Vocab> vocab, std::string source, ConlluReadOptions options = {});
  ~ConlluReader();
  // The next Doc, or nullopt at the end. Throws FormatError naming source and line (unless skip_bad).
  std::optional<Doc> next();
  // Errors of the sentences skipped so far (skip_bad).
  const std::vector<std::string>& skipped() const noexcept { return skipped_; }
  std::uint64_t line() const noexcept { return line_no_; }

 private:
  struct Sentence;
  bool read_sentence(Sentence& s);
  std::istream& in_;
  std::shared_ptr<Vocab> vocab_;
  std::string source_;
  ConlluReadOptions options_;
  std::uint64_t line_no_ = 0;
  std::vector<std::string> skipped_;
  std::unique_ptr<Sentence> pending_;  // a sentence read ahead that starts the next document
  std::unique_ptr<Sentence> work_;     // the sentence being read (its buffers are reused)
  std::string line_;                   // the line being read (reused)
  bool eof_ = false;
  bool break_doc_ = false;  // a skipped sentence opened a new document: the next one starts a Doc
};

// Reads a whole file (convenience over ConlluReader); throws IOError when it cannot be opened.
std::vector<Doc> read_conllu_file(const std::string& path, std::shared_ptr<Vocab> vocab,
                                  ConlluReadOptions options = {});

// Writes Docs as CoNLL-U. Sentences come from the Doc's sentence starts (the whole Doc is one
// sentence when it has none). Without stored comments, "# sent_id = N" (N counting from 1 across the
// stream) and "# text = ..." are generated; "# newdoc" is written when a Doc has no stored comments and
// `mark_docs` is set.
class ConlluWriter {
 public:
  explicit ConlluWriter(std::ostream& out, bool mark_docs = false) : out_(out), mark_docs_(mark_docs) {}
  void write(const Doc& doc);

 private:
  std::ostream& out_;
  bool mark_docs_;
  std::uint64_t sent_id_ = 0;
};

std::string to_conllu(const Doc& doc);

}  // namespace weft
