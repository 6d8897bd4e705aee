#include "cli/writer.hpp"

#include <algorithm>
#include <vector>

#include "weft/doc/doc_json.hpp"
#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

namespace weft::cli {

namespace {

std::string field(const Doc& doc, hash_t h) { return h ? std::string(doc.str(h)) : std::string("_"); }

std::string ner_tag(const Doc& doc, const TokenData& t) {
  switch (t.ent_iob) {
    case EntIob::O: return "O";
    case EntIob::B: return "B-" + std::string(doc.str(t.ent_type));
    case EntIob::I: return "I-" + std::string(doc.str(t.ent_type));
    case EntIob::MISSING: break;
  }
  return "_";
}

}  // namespace

void append_rows(const std::vector<std::vector<std::string>>& rows, std::string& out) {
  std::vector<std::size_t> widths;
  for (const auto& row : rows) {
    if (widths.size() < row.size()) widths.resize(row.size(), 0);
    for (std::size_t c = 0; c < row.size(); ++c) widths[c] = std::max(widths[c], utf8::length(row[c]));
  }
  for (const auto& row : rows) {
    const std::size_t line_start = out.size();
    for (std::size_t c = 0; c < row.size(); ++c) {
      out += row[c];
      if (c + 1 < row.size()) out.append(widths[c] - utf8::length(row[c]) + 2, ' ');
    }
    while (out.size() > line_start && out.back() == ' ') out.pop_back();
    out += '\n';
  }
  out += '\n';
}

void append_table(const Doc& doc, std::string& out, std::ostream* flush_to) {
  const bool deps = doc.has_annotation(Attr::HEAD);
  const bool ents = doc.has_annotation(Attr::ENT_IOB);
  std::vector<std::string> header{"ID", "TEXT", "LEMMA", "UPOS", "XPOS", "FEATS"};
  if (deps) header.insert(header.end(), {"HEAD", "DEPREL"});
  if (ents) header.push_back("ENT");
  std::vector<std::vector<std::string>> rows;
  std::size_t b = 0;
  for (std::size_t e = 1; e <= doc.size(); ++e) {
    if (e < doc.size() && doc.data(e).sent_start != 1) continue;
    rows.assign(1, header);
    for (std::size_t i = b; i < e; ++i) {
      const TokenData& t = doc.data(i);
      const bool joined_from_prev = i > b && (doc.data(i - 1).flags & TOKEN_MWT_NEXT);
      if ((t.flags & TOKEN_MWT_NEXT) && i + 1 < e && !joined_from_prev) {
        std::size_t j = i;
        while (j + 1 < e && (doc.data(j).flags & TOKEN_MWT_NEXT)) ++j;
        const TokenData& last = doc.data(j);
        rows.push_back({std::to_string(i - b + 1) + "-" + std::to_string(j - b + 1),
                        doc.text().substr(t.idx, last.idx + last.len - t.idx)});
      }
      std::vector<std::string> row{std::to_string(i - b + 1), std::string(doc.token_text(i)), field(doc, t.lemma),
                                   t.pos == UPOS::NONE ? "_" : std::string(upos_name(t.pos)), field(doc, t.tag),
                                   field(doc, t.morph)};
      if (deps) {
        const auto target = static_cast<std::int64_t>(i) + t.head;
        row.push_back(t.head == 0 ? (t.dep ? "0" : "_") : std::to_string(target - static_cast<std::int64_t>(b) + 1));
        row.push_back(field(doc, t.dep));
      }
      if (ents) row.push_back(ner_tag(doc, t));
      rows.push_back(std::move(row));
    }
    append_rows(rows, out);
    b = e;
    if (flush_to != nullptr && out.size() >= (1 << 16)) {
      flush_to->write(out.data(), static_cast<std::streamsize>(out.size()));
      out.clear();
    }
  }
}

DocWriter::DocWriter(const std::string& format, const std::string& path)
    : format_(format), out_(path, format == "docbin") {
  if (format_ == "conllu") {
    conllu_ = std::make_unique<ConlluWriter>(out_.stream(), true);
  } else if (format_ != "tokens" && format_ != "jsonl" && format_ != "table" && format_ != "docbin") {
    throw ValueError("unknown output format \"" + format_ + "\" (tokens, jsonl, conllu, table, docbin)");
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
    write_json_line(doc, os, line_);
    os.put('\n');
  } else if (format_ == "conllu") {
    conllu_->write(doc);
  } else if (format_ == "table") {
    line_.clear();
    append_table(doc, line_, &os);
    os.write(line_.data(), static_cast<std::streamsize>(line_.size()));
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
