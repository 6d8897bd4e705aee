// CoNLL-U writing. Columns come from the token records; what the records cannot hold (comments, DEPS,
// range-line columns, empty nodes, other MISC items) comes from DocExtras. A stored MISC column is
// written unchanged while it still says what the Doc says (the same whitespace after the token, the
// same entity tag), which is what makes read-then-write give back the identical file; otherwise it is
// rebuilt around its other items.
#include <algorithm>
#include <charconv>
#include <optional>
#include <sstream>

#include "doc/conllu_misc.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"

namespace weft {

namespace {

void append_uint(std::string& out, std::uint64_t v) {
  char buf[24];
  const auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

class DocWriter {
 public:
  DocWriter(const Doc& doc, std::string& out) : doc_(doc), ex_(doc.extras()), out_(out) {}

  void write_sentence(std::size_t b, std::size_t e, std::uint64_t sent_id, bool mark_doc) {
    write_comments(b, e, sent_id, mark_doc);
    const std::vector<std::string>* empties = find(ex_.empty_nodes, b);
    std::size_t next_empty = 0;
    auto write_empties = [&](std::uint64_t after_word) {
      while (empties && next_empty < empties->size() && empty_node_major((*empties)[next_empty]) <= after_word) {
        put_raw((*empties)[next_empty++], "an empty node line");
        out_ += '\n';
      }
    };
    write_empties(0);
    for (std::size_t i = b; i < e; ++i) {
      const bool joins_next = (doc_.data(i).flags & TOKEN_MWT_NEXT) && i + 1 < e;
      const bool joined_from_prev = i > b && (doc_.data(i - 1).flags & TOKEN_MWT_NEXT);
      if (joins_next && !joined_from_prev) write_range(i, b, e);
      write_word(i, b, e, joins_next || joined_from_prev);
      write_empties(i - b + 1);
    }
    write_empties(UINT64_MAX);
    out_ += '\n';
  }

 private:
  template <class Map>
  static const typename Map::mapped_type* find(const Map& m, std::uint32_t key) {
    const auto it = m.find(key);
    return it == m.end() ? nullptr : &it->second;
  }

  // Empty nodes follow the word their id names ("8.1" after word 8); unreadable ids go last.
  static std::uint64_t empty_node_major(std::string_view line) {
    std::uint64_t major = 0;
    const auto res = std::from_chars(line.data(), line.data() + line.size(), major);
    return res.ec == std::errc() && res.ptr != line.data() && res.ptr < line.data() + line.size() && *res.ptr == '.'
               ? major
               : UINT64_MAX - 1;
  }

  [[noreturn]] void fail(std::size_t i, const std::string& what) const {
    throw ValueError("cannot write token " + std::to_string(i) + " (" + std::string(doc_.token_text(i)) +
                     ") as CoNLL-U: " + what);
  }

  void put_raw(std::string_view s, const char* what) {
    if (s.find_first_of("\n\r") != std::string_view::npos)
      throw ValueError(std::string("cannot write CoNLL-U: ") + what + " contains a line break");
    out_ += s;
  }

  // A column value: "_" when unset; tabs and line breaks would break the line structure.
  void put_field(std::size_t i, std::string_view s, const char* column) {
    if (s.empty()) {
      out_ += '_';
      return;
    }
    if (s.find_first_of("\t\n\r") != std::string_view::npos)
      fail(i, std::string(column) + " contains a tab or line break");
    out_ += s;
  }

  void put_hash(std::size_t i, hash_t h, const char* column) {
    put_field(i, h ? doc_.str(h) : std::string_view(), column);
  }

  bool starts_paragraph(std::size_t token) const {
    if (const auto* lines = find(ex_.comments, static_cast<std::uint32_t>(token)))
      for (const auto& l : *lines)
        if (conllu::is_newpar_comment(l) || conllu::is_newdoc_comment(l)) return true;
    return false;
  }

  void write_comments(std::size_t b, std::size_t e, std::uint64_t sent_id, bool mark_doc) {
    if (const auto* lines = find(ex_.comments, static_cast<std::uint32_t>(b))) {
      for (const auto& l : *lines) {
        if (l.empty() || l[0] != '#') out_ += "# ";
        put_raw(l, "a comment");
        out_ += '\n';
      }
      return;
    }
    if (mark_doc) out_ += "# newdoc\n";
    out_ += "# sent_id = ";
    append_uint(out_, sent_id);
    out_ += "\n# text = ";
    const TokenData& last = doc_.data(e - 1);
    const std::size_t start = doc_.data(b).idx;
    for (const char c : std::string_view(doc_.text()).substr(start, last.idx + last.len - start))
      out_ += (c == '\n' || c == '\r' || c == '\t') ? ' ' : c;
    out_ += '\n';
  }

  // Text between token i and the next token (or the end of the text).
  std::string_view gap(std::size_t i) const {
    const TokenData& t = doc_.data(i);
    const std::size_t next = i + 1 < doc_.size() ? doc_.data(i + 1).idx : doc_.text().size();
    return std::string_view(doc_.text()).substr(t.idx + t.len, next - (t.idx + t.len));
  }

  // The whitespace the reader puts after token i when MISC says nothing: a space inside a sentence,
  // nothing at the end of the Doc, a newline before a new paragraph.
  std::string_view default_gap(std::size_t i, std::size_t e) const {
    if (i + 1 < e) return " ";
    if (i + 1 == doc_.size()) return "";
    return starts_paragraph(e) ? "\n" : " ";
  }

  std::string_view leading() const { return std::string_view(doc_.text()).substr(0, doc_.data(0).idx); }

  std::optional<std::string> ner_tag(std::size_t i) const {
    const TokenData& t = doc_.data(i);
    switch (t.ent_iob) {
      case EntIob::O: return std::string("O");
      case EntIob::B: return "B-" + std::string(doc_.str(t.ent_type));
      case EntIob::I: return "I-" + std::string(doc_.str(t.ent_type));
      case EntIob::MISSING: break;
    }
    return std::nullopt;
  }

  // What MISC must say about token i; a field is unset where that MISC line has no say on it.
  struct Want {
    bool after = false;  // SpaceAfter/SpacesAfter belong to this line
    std::string_view gap, default_gap;
    bool before = false;  // SpacesBefore belongs to this line (first token of the Doc)
    bool ner = false;     // NER belongs to this line (word lines)
    std::optional<std::string> tag;
  };

  bool agrees(std::string_view misc, const Want& w) {
    const conllu::MiscInfo info = conllu::parse_misc(misc);
    if (w.after) {
      using Space = conllu::MiscInfo::Space;
      if (info.after == Space::Explicit) {
        conllu::unescape_spaces(info.spaces_after, scratch_);
        if (scratch_ != w.gap) return false;
      } else if ((info.after == Space::No ? std::string_view() : w.default_gap) != w.gap) {
        return false;
      }
    }
    if (w.before) {
      scratch_.clear();
      if (info.has_before) conllu::unescape_spaces(info.spaces_before, scratch_);
      if (scratch_ != leading()) return false;
    }
    if (w.ner && (info.has_ner ? !w.tag || *w.tag != info.ner : w.tag.has_value())) return false;
    return true;
  }

  void put_misc(std::size_t i, std::string_view raw, const Want& w) {
    if (!raw.empty() && agrees(raw, w)) return put_field(i, raw, "MISC");
    const std::size_t start = out_.size();
    auto item = [&]() -> std::string& {
      if (out_.size() > start) out_ += '|';
      return out_;
    };
    if (w.before && !leading().empty()) conllu::escape_spaces(leading(), item() += "SpacesBefore=");
    if (w.after && w.gap != w.default_gap) {
      if (w.gap.empty()) item() += "SpaceAfter=No";
      else conllu::escape_spaces(w.gap, item() += "SpacesAfter=");
    }
    if (!raw.empty()) {
      conllu::for_each_misc_item(raw, [&](std::string_view it) {
        if ((w.after && conllu::is_space_after_item(it)) || (w.before && conllu::is_spaces_before_item(it)) ||
            (w.ner && conllu::is_ner_item(it)))
          return;
        if (it.find_first_of("\t\n\r") != std::string_view::npos) fail(i, "MISC contains a tab or line break");
        item() += it;
      });
    }
    if (w.ner && w.tag) item() += "NER=" + *w.tag;
    if (out_.size() == start) out_ += '_';
  }

  void write_range(std::size_t i, std::size_t b, std::size_t e) {
    std::size_t j = i;
    while (j + 1 < e && (doc_.data(j).flags & TOKEN_MWT_NEXT)) {
      if (doc_.data(j).idx + doc_.data(j).len != doc_.data(j + 1).idx)
        fail(j, "it is marked as a multi-word token with the next token, but text lies between them");
      ++j;
    }
    append_uint(out_, i - b + 1);
    out_ += '-';
    append_uint(out_, j - b + 1);
    out_ += '\t';
    const std::size_t start = doc_.data(i).idx;
    put_field(i, std::string_view(doc_.text()).substr(start, doc_.data(j).idx + doc_.data(j).len - start), "FORM");
    out_ += '\t';
    Want w{true, gap(j), default_gap(j, e), i == 0, false, std::nullopt};
    std::string_view raw;
    if (const auto* fields = find(ex_.mwt_fields, static_cast<std::uint32_t>(i));
        fields && std::count(fields->begin(), fields->end(), '\t') == 7) {
      const std::size_t last_tab = fields->rfind('\t');
      put_raw(std::string_view(*fields).substr(0, last_tab + 1), "a multi-word token line");
      raw = std::string_view(*fields).substr(last_tab + 1);
    } else {
      out_ += "_\t_\t_\t_\t_\t_\t_\t";
    }
    put_misc(i, raw, w);
    out_ += '\n';
  }

  void write_word(std::size_t i, std::size_t b, std::size_t e, bool in_mwt) {
    const TokenData& t = doc_.data(i);
    append_uint(out_, i - b + 1);
    out_ += '\t';
    put_field(i, doc_.token_text(i), "FORM");
    out_ += '\t';
    put_hash(i, t.lemma, "LEMMA");
    out_ += '\t';
    put_field(i, upos_name(t.pos), "UPOS");
    out_ += '\t';
    put_hash(i, t.tag, "XPOS");
    out_ += '\t';
    put_hash(i, t.morph, "FEATS");
    out_ += '\t';
    if (t.head == 0) {
      out_ += t.dep ? '0' : '_';
    } else {
      const auto target = static_cast<std::int64_t>(i) + t.head;
      if (target < static_cast<std::int64_t>(b) || target >= static_cast<std::int64_t>(e))
        fail(i, "its head (token " + std::to_string(target) + ") is outside its sentence");
      append_uint(out_, static_cast<std::uint64_t>(target) - b + 1);
    }
    out_ += '\t';
    put_hash(i, t.dep, "DEPREL");
    out_ += '\t';
    const auto key = static_cast<std::uint32_t>(i);
    const std::string* deps = find(ex_.deps, key);
    put_field(i, deps ? std::string_view(*deps) : std::string_view(), "DEPS");
    out_ += '\t';
    Want w;
    w.after = !in_mwt;
    if (w.after) {
      w.gap = gap(i);
      w.default_gap = default_gap(i, e);
    }
    w.before = i == 0 && !in_mwt;
    w.ner = true;
    w.tag = ner_tag(i);
    const std::string* misc = find(ex_.misc, key);
    put_misc(i, misc ? std::string_view(*misc) : std::string_view(), w);
    out_ += '\n';
  }

  const Doc& doc_;
  const DocExtras& ex_;
  std::string& out_;
  std::string scratch_;
};

}  // namespace

void ConlluWriter::write(const Doc& doc) {
  if (doc.empty()) return;  // CoNLL-U has no sentence without words
  // Written on every 64 KB, so a long Doc's sentences are never held together.
  constexpr std::size_t kFlush = 1 << 16;
  std::string out;
  out.reserve(std::min<std::size_t>(doc.size() * 64 + 256, 2 * kFlush));
  DocWriter writer(doc, out);
  const bool mark = mark_docs_ && doc.extras().comments.empty();
  std::size_t start = 0;
  for (std::size_t i = 1; i <= doc.size(); ++i) {
    if (i == doc.size() || doc.data(i).sent_start == 1) {
      writer.write_sentence(start, i, ++sent_id_, mark && start == 0);
      start = i;
      if (out.size() >= kFlush && i < doc.size()) {
        out_.write(out.data(), static_cast<std::streamsize>(out.size()));
        out.clear();
      }
    }
  }
  out_.write(out.data(), static_cast<std::streamsize>(out.size()));
  if (!out_) throw IOError("error while writing CoNLL-U");
}

std::string to_conllu(const Doc& doc) {
  std::ostringstream os;
  ConlluWriter(os).write(doc);
  return std::move(os).str();
}

}  // namespace weft
