#include "cli/writer.hpp"

#include "weft/doc/doc_json.hpp"
#include "weft/error.hpp"

namespace weft::cli {

DocWriter::DocWriter(const std::string& format, const std::string& path)
    : format_(format), out_(path, format == "docbin") {
  if (format_ == "conllu") {
    conllu_ = std::make_unique<ConlluWriter>(out_.stream(), true);
  } else if (format_ != "tokens" && format_ != "jsonl" && format_ != "docbin") {
    throw ValueError("unknown output format \"" + format_ + "\" (tokens, jsonl, conllu, docbin)");
  }
}

void DocWriter::write(const Doc& doc) {
  std::ostream& os = out_.stream();
  if (format_ == "tokens") {
    line_.clear();
    for (std::size_t i = 0; i < doc.size(); ++i) {
      line_ += doc.token_text(i);
      line_ += '\n';
    }
    line_ += '\n';
    os.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  } else if (format_ == "jsonl") {
    line_ = doc_to_json_line(doc);
    line_ += '\n';
    os.write(line_.data(), static_cast<std::streamsize>(line_.size()));
  } else if (format_ == "conllu") {
    conllu_->write(doc);
  } else {
    docbin_.add(doc);
  }
}

void DocWriter::finish() {
  if (format_ == "docbin") {
    const std::string bytes = docbin_.to_bytes();
    out_.stream().write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  }
  out_.finish();
}

}  // namespace weft::cli
