// CoNLL-U reading in two phases per sentence: read its lines into one reused buffer and check them
// (nothing is built from a sentence that has an error, so skip_bad can drop it cleanly), then append
// it to the Doc being built. A Doc's text only exists once its last sentence is read, so the builder
// keeps text, token records and the new strings until then and creates the Doc in one step.
#include <algorithm>
#include <charconv>
#include <fstream>
#include <unordered_map>

#include "doc/conllu_misc.hpp"
#include "weft/doc/conllu.hpp"
#include "weft/error.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {

namespace conllu {

// One sentence as read and checked (ConlluReader::Sentence is this; it is named here so the helpers
// below can use it).
struct ParsedSentence {
  struct Line {
    std::size_t off, len;
    std::uint64_t no;
  };
  struct Word {
    std::string_view col[10];
    std::uint32_t head = 0;  // 1-based; 0 = root or none (has_head tells)
    bool has_head = false;
    UPOS pos = UPOS::NONE;
    conllu::MiscInfo misc;
    std::uint64_t line = 0;
  };
  struct Range {
    std::uint32_t first = 0, last = 0;  // word ids
    std::string_view form, fields;      // FORM and columns 3-10
    conllu::MiscInfo misc;
    std::string_view misc_col;
    std::uint64_t line = 0;
  };
  std::string buf;  // the sentence's lines back to back; the views below point into it
  std::vector<Line> lines;
  std::vector<std::string_view> comments, empty_nodes;
  std::vector<Word> words;
  std::vector<Range> ranges;
  bool newdoc = false, newpar = false;

  void clear() {
    buf.clear();
    lines.clear();
    comments.clear();
    empty_nodes.clear();
    words.clear();
    ranges.clear();
    newdoc = newpar = false;
  }
};

}  // namespace conllu

struct ConlluReader::Sentence : conllu::ParsedSentence {};

namespace {

using Sentence = conllu::ParsedSentence;
constexpr const char* kColumnNames[10] = {"ID",    "FORM", "LEMMA",  "UPOS", "XPOS",
                                          "FEATS", "HEAD", "DEPREL", "DEPS", "MISC"};

bool parse_uint(std::string_view s, std::uint32_t& out) {
  if (s.empty()) return false;
  const auto [end, ec] = std::from_chars(s.data(), s.data() + s.size(), out);
  return ec == std::errc() && end == s.data() + s.size();
}

std::string quoted(std::string_view s) { return "'" + std::string(s) + "'"; }

class SentenceParser {
 public:
  SentenceParser(Sentence& s, const std::string& source) : s_(s), source_(source) {}

  void parse() {
    for (const auto& line : s_.lines) parse_line(std::string_view(s_.buf).substr(line.off, line.len), line.no);
    check_sentence();
  }

 private:
  [[noreturn]] void fail(const std::string& cause, std::uint64_t line) const {
    throw FormatError(cause, Location{source_, line});
  }

  void parse_line(std::string_view line, std::uint64_t no) {
    if (const std::size_t bad = utf8::first_invalid(line); bad != utf8::npos)
      throw EncodingError("invalid UTF-8 at byte " + std::to_string(bad + 1) + " of the line",
                          Location{source_, no, bad + 1});
    if (line[0] == '#') {
      if (!s_.words.empty() || !s_.ranges.empty() || !s_.empty_nodes.empty())
        fail("comment line after the words of a sentence (comments must come first)", no);
      s_.comments.push_back(line);
      s_.newdoc = s_.newdoc || conllu::is_newdoc_comment(line);
      s_.newpar = s_.newpar || conllu::is_newpar_comment(line);
      return;
    }
    std::string_view col[10];
    std::size_t n = 0, start = 0;
    for (;;) {
      const std::size_t tab = line.find('\t', start);
      if (n < 10) col[n] = line.substr(start, tab == std::string_view::npos ? tab : tab - start);
      ++n;
      if (tab == std::string_view::npos) break;
      start = tab + 1;
    }
    if (n != 10) fail("expected 10 tab-separated columns, found " + std::to_string(n), no);
    for (std::size_t k = 0; k < 10; ++k)
      if (col[k].empty()) fail(std::string("column ") + kColumnNames[k] + " is empty (use _ for no value)", no);

    const std::string_view id = col[0];
    if (const std::size_t dash = id.find('-'); dash != std::string_view::npos)
      return parse_range(id, dash, line, col, no);
    if (const std::size_t dot = id.find('.'); dot != std::string_view::npos) return parse_empty_node(id, dot, line, no);
    parse_word(col, no);
  }

  void parse_range(std::string_view id, std::size_t dash, std::string_view line, const std::string_view* col,
                   std::uint64_t no) {
    Sentence::Range r;
    if (!parse_uint(id.substr(0, dash), r.first) || !parse_uint(id.substr(dash + 1), r.last))
      fail("invalid multi-word token range " + quoted(id), no);
    const auto next = static_cast<std::uint32_t>(s_.words.size() + 1);
    if (r.first != next)
      fail("multi-word token range " + quoted(id) + " must start at the next word id " + std::to_string(next), no);
    if (r.last <= r.first) fail("multi-word token range " + quoted(id) + " must span at least two words", no);
    if (!s_.ranges.empty() && s_.ranges.back().last >= r.first)
      fail("multi-word token range " + quoted(id) + " overlaps the previous one", no);
    r.form = col[1];
    r.fields = line.substr(static_cast<std::size_t>(col[2].data() - line.data()));
    r.misc_col = col[9];
    r.misc = conllu::parse_misc(col[9]);
    check_spaces(r.misc, no);
    r.line = no;
    s_.ranges.push_back(r);
  }

  void parse_empty_node(std::string_view id, std::size_t dot, std::string_view line, std::uint64_t no) {
    std::uint32_t major = 0, minor = 0;
    if (!parse_uint(id.substr(0, dot), major) || !parse_uint(id.substr(dot + 1), minor))
      fail("invalid empty node id " + quoted(id), no);
    if (major != s_.words.size()) fail("empty node " + quoted(id) + " must follow word " + std::to_string(major), no);
    if (minor != ++empty_minor_[major]) fail("empty node " + quoted(id) + " is out of order", no);
    s_.empty_nodes.push_back(line);
  }

  void parse_word(const std::string_view* col, std::uint64_t no) {
    Sentence::Word w;
    std::uint32_t id = 0;
    if (!parse_uint(col[0], id)) fail("invalid word id " + quoted(col[0]), no);
    const auto expected = static_cast<std::uint32_t>(s_.words.size() + 1);
    if (id != expected)
      fail("word id " + std::to_string(id) + " is out of order (expected " + std::to_string(expected) + ")", no);
    for (std::size_t k = 0; k < 10; ++k) w.col[k] = col[k];
    if (col[6] != "_") {
      if (!parse_uint(col[6], w.head)) fail("invalid HEAD " + quoted(col[6]) + " (expected a word id or 0)", no);
      w.has_head = true;
    }
    const auto pos = upos_from_name(col[3]);
    if (!pos) fail("unknown UPOS tag " + quoted(col[3]), no);
    w.pos = *pos;
    w.misc = conllu::parse_misc(col[9]);
    check_spaces(w.misc, no);
    if (w.misc.has_ner) {
      char iob = 0;
      std::string_view type;
      if (!conllu::split_ner(w.misc.ner, iob, type))
        fail("invalid NER tag " + quoted(w.misc.ner) + " in MISC (expected O, B-TYPE or I-TYPE)", no);
    }
    w.line = no;
    s_.words.push_back(w);
  }

  void check_spaces(const conllu::MiscInfo& m, std::uint64_t no) {
    if (m.after == conllu::MiscInfo::Space::Explicit && !conllu::unescape_spaces(m.spaces_after, scratch_))
      fail("invalid escape in SpacesAfter=" + std::string(m.spaces_after), no);
    if (m.has_before && !conllu::unescape_spaces(m.spaces_before, scratch_))
      fail("invalid escape in SpacesBefore=" + std::string(m.spaces_before), no);
  }

  void check_sentence() {
    if (s_.words.empty()) fail("sentence has no words", s_.lines.front().no);
    const auto n = static_cast<std::uint32_t>(s_.words.size());
    for (std::uint32_t k = 0; k < n; ++k) {
      const auto& w = s_.words[k];
      if (w.has_head && w.head > n)
        fail("HEAD " + std::to_string(w.head) + " of word " + std::to_string(k + 1) +
                 " is out of range (the sentence has " + std::to_string(n) + " words)",
             w.line);
      if (w.has_head && w.head == k + 1) fail("word " + std::to_string(k + 1) + " is its own head", w.line);
    }
    for (const auto& r : s_.ranges) {
      if (r.last > n)
        fail("multi-word token range " + std::to_string(r.first) + "-" + std::to_string(r.last) +
                 " ends after the last word " + std::to_string(n),
             r.line);
      std::string_view rest = r.form;
      bool ok = true;
      for (std::uint32_t k = r.first; k <= r.last && ok; ++k) {
        const std::string_view f = s_.words[k - 1].col[1];
        ok = rest.substr(0, f.size()) == f;
        rest.remove_prefix(std::min(f.size(), rest.size()));
      }
      if (!ok || !rest.empty()) {
        std::string words;
        for (std::uint32_t k = r.first; k <= r.last; ++k)
          words += (k > r.first ? " " : "") + std::string(s_.words[k - 1].col[1]);
        fail("multi-word token " + quoted(r.form) + " is not the concatenation of its words " + quoted(words) +
                 "; not supported (a token must be a slice of the text)",
             r.line);
      }
    }
  }

  Sentence& s_;
  const std::string& source_;
  std::unordered_map<std::uint32_t, std::uint32_t> empty_minor_;
  std::string scratch_;
};

// Accumulates the sentences of one Doc.
class DocBuilder {
 public:
  bool empty() const { return tokens_.empty(); }

  void append(const Sentence& s) {
    if (!tokens_.empty() && tail_ == Tail::Default) text_ += (s.newpar || s.newdoc) ? '\n' : ' ';
    const auto first = static_cast<std::uint32_t>(tokens_.size());
    if (!s.comments.empty()) extras_.comments[first].assign(s.comments.begin(), s.comments.end());
    if (!s.empty_nodes.empty()) extras_.empty_nodes[first].assign(s.empty_nodes.begin(), s.empty_nodes.end());
    const std::size_t n = s.words.size();
    std::size_t r = 0;
    for (std::size_t k = 0; k < n;) {
      const Sentence::Range* range = r < s.ranges.size() && s.ranges[r].first == k + 1 ? &s.ranges[r++] : nullptr;
      const std::size_t end = range ? range->last : k + 1;
      const bool sentence_final = end == n;
      const conllu::MiscInfo& space = range ? range->misc : s.words[k].misc;
      if (tokens_.empty() && space.has_before) append_unescaped(space.spaces_before);
      if (range && !range_is_canonical(range->fields, sentence_final))
        extras_.mwt_fields.emplace(static_cast<std::uint32_t>(tokens_.size()), std::string(range->fields));
      for (std::size_t w = k; w < end; ++w) push_word(s.words[w], w, range != nullptr, sentence_final && w + 1 == end);
      if (range) {
        for (std::size_t i = tokens_.size() - (end - k); i + 1 < tokens_.size(); ++i)
          tokens_[i].flags |= TOKEN_MWT_NEXT;
      }
      using Space = conllu::MiscInfo::Space;
      if (space.after == Space::Explicit) append_unescaped(space.spaces_after);
      else if (space.after == Space::Default && !sentence_final) text_ += ' ';
      if (sentence_final) tail_ = space.after == Space::Default ? Tail::Default : Tail::Explicit;
      k = end;
    }
  }

  Doc finish(const std::shared_ptr<Vocab>& vocab) {
    Doc doc(vocab, std::move(text_));
    doc.tokens() = std::move(tokens_);
    for (const auto& [h, s] : strings_) doc.intern(s);
    doc.extras() = std::move(extras_);
    return doc;
  }

 private:
  enum class Tail { Default, Explicit };

  hash_t intern(std::string_view s) {
    if (s == "_") return 0;
    const hash_t h = hash_string(s);
    if (h != 0 && strings_.find(h) == strings_.end()) strings_.emplace(h, std::string(s));
    return h;
  }

  void append_unescaped(std::string_view escaped) {
    conllu::unescape_spaces(escaped, scratch_);  // checked while parsing
    text_ += scratch_;
  }

  void push_word(const Sentence::Word& w, std::size_t k, bool in_mwt, bool sentence_final) {
    const auto i = static_cast<std::uint32_t>(tokens_.size());
    TokenData& t = tokens_.emplace_back();
    const std::string_view form = w.col[1];
    t.idx = static_cast<std::uint32_t>(text_.size());
    t.len = static_cast<std::uint32_t>(form.size());
    t.orth = hash_string(form);
    text_ += form;
    t.lemma = intern(w.col[2]);
    t.pos = w.pos;
    t.tag = intern(w.col[4]);
    t.morph = intern(w.col[5]);
    t.dep = intern(w.col[7]);
    if (w.has_head && w.head != 0) t.head = static_cast<std::int32_t>(w.head) - static_cast<std::int32_t>(k + 1);
    t.sent_start = k == 0 ? 1 : -1;
    if (w.misc.has_ner) {
      char iob = 0;
      std::string_view type;
      conllu::split_ner(w.misc.ner, iob, type);
      t.ent_iob = iob == 'O' ? EntIob::O : iob == 'B' ? EntIob::B : EntIob::I;
      t.ent_type = type.empty() ? 0 : intern(type);
    }
    if (w.col[8] != "_") extras_.deps.emplace(i, std::string(w.col[8]));
    if (!misc_is_canonical(w.col[9], !in_mwt && !sentence_final)) extras_.misc.emplace(i, std::string(w.col[9]));
  }

  // True when the writer regenerates exactly this MISC from the token records (SpaceAfter=No, then NER=),
  // so it need not be stored. `allow_space` is false where the writer does not emit SpaceAfter (inside a
  // multi-word token, where the range line carries it) or cannot know it (the end of a sentence).
  static bool misc_is_canonical(std::string_view misc, bool allow_space) {
    if (misc == "_") return true;
    if (allow_space && misc.substr(0, 13) == "SpaceAfter=No") {
      misc.remove_prefix(13);
      if (misc.empty()) return true;
      if (misc[0] != '|') return false;
      misc.remove_prefix(1);
    }
    return conllu::is_ner_item(misc) && misc.find('|') == std::string_view::npos;
  }

  static bool range_is_canonical(std::string_view fields, bool sentence_final) {
    constexpr std::string_view kEmpty = "_\t_\t_\t_\t_\t_\t_\t";
    if (fields.substr(0, kEmpty.size()) != kEmpty) return false;
    const std::string_view misc = fields.substr(kEmpty.size());
    return misc == "_" || (!sentence_final && misc == "SpaceAfter=No");
  }

  std::string text_;
  std::vector<TokenData> tokens_;
  DocExtras extras_;
  std::unordered_map<hash_t, std::string> strings_;
  std::string scratch_;
  Tail tail_ = Tail::Default;
};

}  // namespace

ConlluReader::ConlluReader(std::istream& in, std::shared_ptr<Vocab> vocab, std::string source,
                           ConlluReadOptions options)
    : in_(in),
      vocab_(std::move(vocab)),
      source_(std::move(source)),
      options_(options),
      work_(std::make_unique<Sentence>()) {
  if (!vocab_) throw ValueError("ConlluReader needs a Vocab");
}

ConlluReader::~ConlluReader() = default;

bool ConlluReader::read_sentence(Sentence& s) {
  s.clear();
  while (std::getline(in_, line_)) {
    ++line_no_;
    if (line_no_ == 1 && line_.compare(0, 3, "\xEF\xBB\xBF") == 0) line_.erase(0, 3);  // a UTF-8 byte order mark
    if (!line_.empty() && line_.back() == '\r') line_.pop_back();
    if (line_.empty()) {
      if (s.lines.empty()) continue;  // blank lines between sentences
      break;
    }
    s.lines.push_back({s.buf.size(), line_.size(), line_no_});
    s.buf += line_;
  }
  if (in_.bad()) throw IOError("error while reading", Location{source_, line_no_});
  if (s.lines.empty()) {
    eof_ = true;
    return false;
  }
  SentenceParser(s, source_).parse();
  return true;
}

std::optional<Doc> ConlluReader::next() {
  DocBuilder builder;
  if (pending_) {
    builder.append(*pending_);
    pending_.reset();
  }
  while (!eof_) {
    Sentence& s = *work_;
    try {
      if (!read_sentence(s)) break;
    } catch (const Error& e) {
      if (!options_.skip_bad || dynamic_cast<const IOError*>(&e)) throw;
      skipped_.emplace_back(e.what());
      break_doc_ = break_doc_ || s.newdoc;
      continue;
    }
    if (options_.group == ConlluReadOptions::Group::Sentence) {
      builder.append(s);
      return builder.finish(vocab_);
    }
    const bool starts_doc = s.newdoc || break_doc_;
    break_doc_ = false;
    if (starts_doc && !builder.empty()) {
      pending_ = std::move(work_);
      work_ = std::make_unique<Sentence>();
      return builder.finish(vocab_);
    }
    builder.append(s);
  }
  if (builder.empty()) return std::nullopt;
  return builder.finish(vocab_);
}

std::vector<Doc> read_conllu_file(const std::string& path, std::shared_ptr<Vocab> vocab, ConlluReadOptions options) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw IOError("cannot open file for reading", Location{path});
  ConlluReader reader(in, std::move(vocab), path, options);
  std::vector<Doc> docs;
  while (auto doc = reader.next()) docs.push_back(std::move(*doc));
  return docs;
}

}  // namespace weft
