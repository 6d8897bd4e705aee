// A port of conll18_ud_eval.py (CoNLL 2018 shared task, v1.2 semantics). Function names follow the
// script's so the two can be read side by side.
#include "weft/train/conll18.hpp"

#include <unicode/uchar.h>

#include <algorithm>
#include <cstdint>
#include <cstdio>
#include <set>
#include <string_view>

#include "weft/doc/span.hpp"
#include "weft/error.hpp"
#include "weft/strings/unicode.hpp"
#include "weft/strings/utf8.hpp"

namespace weft {
namespace {

const std::set<std::string_view> kContentDeprels = {
    "nsubj", "obj",   "iobj",     "csubj",     "ccomp",  "xcomp",    "obl",        "vocative", "expl", "dislocated",
    "advcl", "advmod", "discourse", "nmod",    "appos",  "nummod",   "acl",        "amod",     "conj", "fixed",
    "flat",  "compound", "list",    "parataxis", "orphan", "goeswith", "reparandum", "root",     "dep"};
const std::set<std::string_view> kFunctionalDeprels = {"aux", "cop", "mark", "det", "clf", "case", "cc"};
const std::set<std::string_view> kUniversalFeatures = {
    "PronType", "NumType", "Poss",  "Reflex", "Foreign", "Abbr",    "Gender",   "Animacy", "Number", "Case", "Definite",
    "Degree",   "VerbForm", "Mood", "Tense",  "Aspect",  "Voice",   "Evident",  "Polarity", "Person", "Polite"};

constexpr std::ptrdiff_t kRoot = -1;        // the script's None
constexpr std::ptrdiff_t kNotAligned = -2;  // the script's "NotAligned"

struct UDSpan {
  std::size_t start = 0, end = 0;  // code points of the text without whitespace; end is exclusive
};

struct UDWord {
  UDSpan span;  // the whole multi-word token's span when is_multiword
  bool is_multiword = false;
  std::string form_lower;
  std::string lemma, upos, xpos, feats, deprel;
  std::ptrdiff_t parent = kRoot;
  std::vector<std::size_t> functional_children;
  bool is_content_deprel = false;
  bool is_functional_deprel = false;
};

struct UDRepresentation {
  std::u32string characters;
  std::vector<UDSpan> tokens;
  std::vector<UDWord> words;
  std::vector<UDSpan> sentences;
};

std::string str_or_blank(const Doc& doc, hash_t h) { return h == 0 ? "_" : std::string(doc.str(h)); }

// Only universal features count, sorted; "_" has none.
std::string universal_feats(const std::string& feats) {
  std::vector<std::string> kept;
  std::size_t i = 0;
  while (i <= feats.size()) {
    std::size_t bar = feats.find('|', i);
    if (bar == std::string::npos) bar = feats.size();
    const std::string feat = feats.substr(i, bar - i);
    if (kUniversalFeatures.count(std::string_view(feat).substr(0, feat.find('=')))) kept.push_back(feat);
    i = bar + 1;
  }
  std::sort(kept.begin(), kept.end());
  std::string out;
  for (const std::string& f : kept) out += (out.empty() ? "" : "|") + f;
  return out;
}

// FORM without space separators (category Zs), so a tokenized space cannot change the characters.
void append_form(std::string_view text, std::u32string& out) {
  for (std::size_t i = 0; i < text.size();) {
    const char32_t c = utf8::next(text, i);
    if (u_charType(static_cast<UChar32>(c)) != U_SPACE_SEPARATOR) out += c;
  }
}

void load_doc(const Doc& doc, UDRepresentation& ud) {
  const std::size_t base = ud.words.size();
  const std::size_t n = doc.size();
  const std::string& text = doc.text();
  for (std::size_t i = 0; i < n;) {
    if (i == 0 || doc.data(i).sent_start == 1) {
      if (i > 0) ud.sentences.back().end = ud.characters.size();
      ud.sentences.push_back({ud.characters.size(), 0});
    }
    std::size_t j = i;  // the surface token is words i..j
    while (j + 1 < n && (doc.data(j).flags & TOKEN_MWT_NEXT)) ++j;
    const std::size_t token_start = ud.characters.size();
    std::vector<UDSpan> word_spans;
    for (std::size_t k = i; k <= j; ++k) {
      const std::size_t s = ud.characters.size();
      append_form(std::string_view(text).substr(doc.data(k).idx, doc.data(k).len), ud.characters);
      if (ud.characters.size() == s) throw ValueError("conll18: word " + std::to_string(k) + " has an empty FORM");
      word_spans.push_back({s, ud.characters.size()});
    }
    const UDSpan token{token_start, ud.characters.size()};
    ud.tokens.push_back(token);
    for (std::size_t k = i; k <= j; ++k) {
      const TokenData& t = doc.data(k);
      UDWord w;
      w.is_multiword = j > i;
      w.span = w.is_multiword ? token : word_spans[k - i];
      w.form_lower = unicode::lower(doc.token_text(k));
      w.lemma = str_or_blank(doc, t.lemma);
      w.upos = t.pos == UPOS::NONE ? "_" : std::string(upos_name(t.pos));
      w.xpos = str_or_blank(doc, t.tag);
      w.feats = universal_feats(str_or_blank(doc, t.morph));
      const std::string dep = str_or_blank(doc, t.dep);
      w.deprel = dep.substr(0, dep.find(':'));  // language-specific subtypes are ignored
      w.is_content_deprel = kContentDeprels.count(w.deprel) > 0;
      w.is_functional_deprel = kFunctionalDeprels.count(w.deprel) > 0;
      if (t.head != 0) {
        const auto head = static_cast<std::ptrdiff_t>(k) + t.head;
        if (head < 0 || head >= static_cast<std::ptrdiff_t>(n)) {
          throw ValueError("conll18: HEAD of word " + std::to_string(k) + " points outside of its Doc");
        }
        w.parent = static_cast<std::ptrdiff_t>(base) + head;
      }
      ud.words.push_back(std::move(w));
    }
    i = j + 1;
  }
  if (n > 0) ud.sentences.back().end = ud.characters.size();
  for (std::size_t k = base; k < ud.words.size(); ++k) {
    const UDWord& w = ud.words[k];
    if (w.parent != kRoot && w.is_functional_deprel) {
      ud.words[static_cast<std::size_t>(w.parent)].functional_children.push_back(k);
    }
  }
}

UDRepresentation load(const std::vector<Doc>& docs) {
  UDRepresentation ud;
  for (const Doc& d : docs) load_doc(d, ud);
  return ud;
}

Conll18Score make_score(std::size_t gold, std::size_t system, std::size_t correct,
                        std::optional<std::size_t> aligned = std::nullopt) {
  Conll18Score s;
  s.gold_total = gold;
  s.system_total = system;
  s.correct = correct;
  s.aligned_total = aligned;
  s.precision = system ? static_cast<double>(correct) / static_cast<double>(system) : 0.0;
  s.recall = gold ? static_cast<double>(correct) / static_cast<double>(gold) : 0.0;
  s.f1 = gold + system ? 2.0 * static_cast<double>(correct) / static_cast<double>(gold + system) : 0.0;
  if (aligned) s.aligned_accuracy = *aligned ? static_cast<double>(correct) / static_cast<double>(*aligned) : 0.0;
  return s;
}

Conll18Score spans_score(const std::vector<UDSpan>& gold, const std::vector<UDSpan>& system) {
  std::size_t correct = 0, gi = 0, si = 0;
  while (gi < gold.size() && si < system.size()) {
    if (system[si].start < gold[gi].start) {
      ++si;
    } else if (gold[gi].start < system[si].start) {
      ++gi;
    } else {
      correct += gold[gi].end == system[si].end;
      ++si;
      ++gi;
    }
  }
  return make_score(gold.size(), system.size(), correct);
}

struct Alignment {
  const std::vector<UDWord>& gold_words;
  const std::vector<UDWord>& system_words;
  std::vector<std::pair<std::size_t, std::size_t>> matched_words;  // (gold, system)
  std::vector<std::ptrdiff_t> matched_words_map;                   // system -> gold, or kNotAligned
  void append_aligned_words(std::size_t g, std::size_t s) {
    matched_words.emplace_back(g, s);
    matched_words_map[s] = static_cast<std::ptrdiff_t>(g);
  }
};

bool beyond_end(const std::vector<UDWord>& words, std::size_t i, std::size_t multiword_span_end) {
  if (i >= words.size()) return true;
  if (words[i].is_multiword) return words[i].span.start >= multiword_span_end;
  return words[i].span.end > multiword_span_end;
}

std::size_t extend_end(const UDWord& word, std::size_t multiword_span_end) {
  if (word.is_multiword && word.span.end > multiword_span_end) return word.span.end;
  return multiword_span_end;
}

// Returns (gs, ss, gi, si): the minimal span of words around a multi-word token on either side.
void find_multiword_span(const std::vector<UDWord>& gold_words, const std::vector<UDWord>& system_words,
                         std::size_t& gi, std::size_t& si, std::size_t& gs, std::size_t& ss) {
  std::size_t multiword_span_end;
  if (gold_words[gi].is_multiword) {
    multiword_span_end = gold_words[gi].span.end;
    if (!system_words[si].is_multiword && system_words[si].span.start < gold_words[gi].span.start) ++si;
  } else {
    multiword_span_end = system_words[si].span.end;
    if (!gold_words[gi].is_multiword && gold_words[gi].span.start < system_words[si].span.start) ++gi;
  }
  gs = gi;
  ss = si;
  while (!beyond_end(gold_words, gi, multiword_span_end) || !beyond_end(system_words, si, multiword_span_end)) {
    if (gi < gold_words.size() &&
        (si >= system_words.size() || gold_words[gi].span.start <= system_words[si].span.start)) {
      multiword_span_end = extend_end(gold_words[gi], multiword_span_end);
      ++gi;
    } else {
      multiword_span_end = extend_end(system_words[si], multiword_span_end);
      ++si;
    }
  }
}

Alignment align_words(const std::vector<UDWord>& gold_words, const std::vector<UDWord>& system_words) {
  Alignment alignment{gold_words, system_words, {}, std::vector<std::ptrdiff_t>(system_words.size(), kNotAligned)};
  std::size_t gi = 0, si = 0;
  while (gi < gold_words.size() && si < system_words.size()) {
    if (gold_words[gi].is_multiword || system_words[si].is_multiword) {
      // Multi-word tokens: align by the longest common subsequence of lowercased forms in the span.
      std::size_t gs = 0, ss = 0;
      find_multiword_span(gold_words, system_words, gi, si, gs, ss);
      if (si > ss && gi > gs) {
        const std::size_t ng = gi - gs, ns = si - ss;
        std::vector<std::vector<std::size_t>> lcs(ng, std::vector<std::size_t>(ns, 0));
        auto at = [&](std::size_t g, std::size_t s) { return g < ng && s < ns ? lcs[g][s] : std::size_t{0}; };
        for (std::size_t g = ng; g-- > 0;) {
          for (std::size_t s = ns; s-- > 0;) {
            if (gold_words[gs + g].form_lower == system_words[ss + s].form_lower) lcs[g][s] = 1 + at(g + 1, s + 1);
            lcs[g][s] = std::max({lcs[g][s], at(g + 1, s), at(g, s + 1)});
          }
        }
        std::size_t g = 0, s = 0;
        while (g < ng && s < ns) {
          if (gold_words[gs + g].form_lower == system_words[ss + s].form_lower) {
            alignment.append_aligned_words(gs + g, ss + s);
            ++g;
            ++s;
          } else if (lcs[g][s] == at(g + 1, s)) {
            ++g;
          } else {
            ++s;
          }
        }
      }
    } else if (gold_words[gi].span.start == system_words[si].span.start &&
               gold_words[gi].span.end == system_words[si].span.end) {
      alignment.append_aligned_words(gi, si);
      ++gi;
      ++si;
    } else if (gold_words[gi].span.start <= system_words[si].span.start) {
      ++gi;
    } else {
      ++si;
    }
  }
  return alignment;
}

// The script's alignment_score: `filter` selects words (by the gold word for aligned pairs), `same`
// compares an aligned pair under the metric's key.
template <class Filter, class Same>
Conll18Score alignment_score(const Alignment& a, Filter&& filter, Same&& same) {
  std::size_t gold = 0, system = 0, aligned = 0, correct = 0;
  for (const UDWord& w : a.gold_words) gold += filter(w);
  for (const UDWord& w : a.system_words) system += filter(w);
  for (const auto& [g, s] : a.matched_words) {
    if (!filter(a.gold_words[g])) continue;
    ++aligned;
    correct += same(g, s);
  }
  return make_score(gold, system, correct, aligned);
}

}  // namespace

const std::vector<std::string>& conll18_metric_names() {
  static const std::vector<std::string> names = {"Tokens", "Sentences", "Words", "UPOS", "XPOS", "UFeats", "AllTags",
                                                 "Lemmas", "UAS",       "LAS",   "CLAS", "MLAS", "BLEX"};
  return names;
}

Conll18Scores conll18_evaluate(const std::vector<Doc>& gold_docs, const std::vector<Doc>& system_docs) {
  const UDRepresentation gold_ud = load(gold_docs);
  const UDRepresentation system_ud = load(system_docs);
  if (gold_ud.characters != system_ud.characters) {
    std::size_t index = 0;
    while (index < gold_ud.characters.size() && index < system_ud.characters.size() &&
           gold_ud.characters[index] == system_ud.characters[index]) {
      ++index;
    }
    auto first20 = [&](const std::u32string& chars) {
      std::string out;
      for (std::size_t i = index; i < chars.size() && i < index + 20; ++i) utf8::append(out, chars[i]);
      return out;
    };
    throw ValueError("The concatenation of tokens in gold file and in system file differ!\n"
                     "First 20 differing characters in gold file: '" + first20(gold_ud.characters) +
                     "' and system file: '" + first20(system_ud.characters) + "'");
  }

  const Alignment a = align_words(gold_ud.words, system_ud.words);
  const auto& G = gold_ud.words;
  const auto& S = system_ud.words;
  // The script's gold_aligned_system: the gold word aligned to a system word (root stays root).
  auto ga = [&](std::ptrdiff_t system_word) {
    return system_word == kRoot ? kRoot : a.matched_words_map[static_cast<std::size_t>(system_word)];
  };
  auto all = [](const UDWord&) { return true; };
  auto content = [](const UDWord& w) { return w.is_content_deprel; };
  auto lemma_ok = [&](std::size_t g, std::size_t s) { return G[g].lemma == "_" || G[g].lemma == S[s].lemma; };
  auto head_ok = [&](std::size_t g, std::size_t s) { return G[g].parent == ga(S[s].parent); };
  auto las_ok = [&](std::size_t g, std::size_t s) { return head_ok(g, s) && G[g].deprel == S[s].deprel; };
  auto children_ok = [&](std::size_t g, std::size_t s) {
    const auto& gc = G[g].functional_children;
    const auto& sc = S[s].functional_children;
    if (gc.size() != sc.size()) return false;
    for (std::size_t k = 0; k < gc.size(); ++k) {
      const UDWord& x = G[gc[k]];
      const UDWord& y = S[sc[k]];
      if (static_cast<std::ptrdiff_t>(gc[k]) != ga(static_cast<std::ptrdiff_t>(sc[k])) || x.deprel != y.deprel ||
          x.upos != y.upos || x.feats != y.feats) {
        return false;
      }
    }
    return true;
  };

  Conll18Scores out;
  out["Tokens"] = spans_score(gold_ud.tokens, system_ud.tokens);
  out["Sentences"] = spans_score(gold_ud.sentences, system_ud.sentences);
  out["Words"] = make_score(G.size(), S.size(), a.matched_words.size());
  out["UPOS"] = alignment_score(a, all, [&](std::size_t g, std::size_t s) { return G[g].upos == S[s].upos; });
  out["XPOS"] = alignment_score(a, all, [&](std::size_t g, std::size_t s) { return G[g].xpos == S[s].xpos; });
  out["UFeats"] = alignment_score(a, all, [&](std::size_t g, std::size_t s) { return G[g].feats == S[s].feats; });
  out["AllTags"] = alignment_score(a, all, [&](std::size_t g, std::size_t s) {
    return G[g].upos == S[s].upos && G[g].xpos == S[s].xpos && G[g].feats == S[s].feats;
  });
  out["Lemmas"] = alignment_score(a, all, lemma_ok);
  out["UAS"] = alignment_score(a, all, head_ok);
  out["LAS"] = alignment_score(a, all, las_ok);
  out["CLAS"] = alignment_score(a, content, las_ok);
  out["MLAS"] = alignment_score(a, content, [&](std::size_t g, std::size_t s) {
    return las_ok(g, s) && G[g].upos == S[s].upos && G[g].feats == S[s].feats && children_ok(g, s);
  });
  out["BLEX"] = alignment_score(a, content, [&](std::size_t g, std::size_t s) {
    return las_ok(g, s) && lemma_ok(g, s);
  });
  return out;
}

Conll18Scores conll18_evaluate_sentences(const std::vector<Doc>& gold, const std::function<Doc(std::string)>& process) {
  std::vector<Doc> system;
  for (const Doc& d : gold) {
    if (d.empty()) continue;
    // A Doc without sentence boundaries is one sentence, as conll18_evaluate reads it.
    if (!d.has_sents()) {
      system.push_back(process(std::string(d.span(0, d.size()).text())));
      continue;
    }
    for (const Span& s : d.sents()) system.push_back(process(std::string(s.text())));
  }
  return conll18_evaluate(gold, system);
}

Conll18Scores conll18_evaluate_documents(const std::vector<Doc>& gold, const std::function<Doc(std::string)>& process) {
  std::vector<Doc> system;
  system.reserve(gold.size());
  for (const Doc& d : gold) system.push_back(process(d.text()));
  return conll18_evaluate(gold, system);
}

std::string conll18_table(const Conll18Scores& scores) {
  std::string out =
      "Metric     | Precision |    Recall |  F1 Score | AligndAcc\n"
      "-----------+-----------+-----------+-----------+-----------\n";
  char line[128];
  for (const std::string& m : conll18_metric_names()) {
    auto it = scores.find(m);
    if (it == scores.end()) continue;
    const Conll18Score& s = it->second;
    std::snprintf(line, sizeof line, "%-11s|%10.2f |%10.2f |%10.2f |", m.c_str(), 100 * s.precision, 100 * s.recall,
                  100 * s.f1);
    out += line;
    if (s.aligned_accuracy) {
      std::snprintf(line, sizeof line, "%10.2f", 100 * *s.aligned_accuracy);
      out += line;
    }
    out += '\n';
  }
  return out;
}

void PredictedAnnotations::add(const Doc& d) {
  pos = pos || d.has_annotation(Attr::POS);
  tag = tag || d.has_annotation(Attr::TAG);
  morph = morph || d.has_annotation(Attr::MORPH);
  lemma = lemma || d.has_annotation(Attr::LEMMA);
  dep = dep || d.has_annotation(Attr::DEP);
  ents = ents || d.has_annotation(Attr::ENT_IOB);
}

bool PredictedAnnotations::covers(const std::string& metric) const {
  if (metric == "UPOS") return pos;
  if (metric == "XPOS") return tag;
  if (metric == "UFeats") return morph;
  if (metric == "AllTags") return pos && tag && morph;
  if (metric == "Lemmas") return lemma;
  if (metric == "UAS" || metric == "LAS" || metric == "CLAS") return dep;
  if (metric == "MLAS") return dep && pos && morph;
  if (metric == "BLEX") return dep && lemma;
  return true;  // Tokens, Sentences, Words
}

void PredictedAnnotations::filter(Conll18Scores& scores) const {
  std::erase_if(scores, [&](const auto& kv) { return !covers(kv.first); });
}

}  // namespace weft
