// The Docs the matcher and entity-ruler targets match their patterns against: two annotated EWT
// sentences (tags, POS, morphology, lemmas, a parse, entities, sentences; one with a multi-word token)
// and the same text from the tokenizer alone (no annotations, so patterns that need them fail as
// documented), over one English pipeline's Vocab.
#pragma once

#include <algorithm>
#include <cctype>
#include <cmath>
#include <sstream>
#include <string>
#include <vector>

#include "weft/doc/conllu.hpp"
#include "weft/pipeline/pipeline.hpp"

namespace weft_fuzz {

inline const weft::Pipeline& nlp() {
  static const weft::Pipeline p = weft::Pipeline::blank("en");
  return p;
}

inline constexpr const char* kConllu =
    "# newdoc id = fuzz\n"
    "# text = From the AP comes this story: President Bush on Tuesday nominated two individuals.\n"
    "1\tFrom\tfrom\tADP\tIN\t_\t3\tcase\t3:case\tNER=O\n"
    "2\tthe\tthe\tDET\tDT\tDefinite=Def|PronType=Art\t3\tdet\t3:det\tNER=O\n"
    "3\tAP\tAP\tPROPN\tNNP\tNumber=Sing\t4\tobl\t4:obl:from\tNER=B-ORG\n"
    "4\tcomes\tcome\tVERB\tVBZ\tMood=Ind|Number=Sing|Person=3|Tense=Pres|VerbForm=Fin\t0\troot\t0:root\tNER=O\n"
    "5\tthis\tthis\tDET\tDT\tNumber=Sing|PronType=Dem\t6\tdet\t6:det\tNER=O\n"
    "6\tstory\tstory\tNOUN\tNN\tNumber=Sing\t4\tnsubj\t4:nsubj\tSpaceAfter=No|NER=O\n"
    "7\t:\t:\tPUNCT\t:\t_\t4\tpunct\t4:punct\tNER=O\n"
    "\n"
    "1\tPresident\tPresident\tPROPN\tNNP\tNumber=Sing\t2\tnmod:desc\t2:nmod:desc\tNER=B-PER\n"
    "2\tBush\tBush\tPROPN\tNNP\tNumber=Sing\t5\tnsubj\t5:nsubj\tNER=I-PER\n"
    "3\ton\ton\tADP\tIN\t_\t4\tcase\t4:case\tNER=O\n"
    "4\tTuesday\tTuesday\tPROPN\tNNP\tNumber=Sing\t5\tobl\t5:obl:on\tNER=B-DATE\n"
    "5\tnominated\tnominate\tVERB\tVBD\tMood=Ind|Number=Sing|Person=3|Tense=Past|VerbForm=Fin\t0\troot\t0:root\tNER=O\n"
    "6\ttwo\ttwo\tNUM\tCD\tNumForm=Word|NumType=Card\t7\tnummod\t7:nummod\tNER=O\n"
    "7\tindividuals\tindividual\tNOUN\tNNS\tNumber=Plur\t5\tobj\t5:obj\tSpaceAfter=No|NER=O\n"
    "8\t.\t.\tPUNCT\t.\t_\t5\tpunct\t5:punct\tSpaceAfter=No|NER=O\n"
    "\n"
    "1-2\tdon't\t_\t_\t_\t_\t_\t_\t_\t_\n"
    "1\tdo\tdo\tAUX\tVBP\tMood=Ind|Tense=Pres|VerbForm=Fin\t3\taux\t3:aux\tNER=O\n"
    "2\tn't\tnot\tPART\tRB\tPolarity=Neg\t3\tadvmod\t3:advmod\tNER=O\n"
    "3\tpanic\tpanic\tVERB\tVB\tVerbForm=Inf\t0\troot\t0:root\tNER=O\n"
    "4\tin\tin\tADP\tIN\t_\t6\tcase\t6:case\tNER=O\n"
    "5\tSan\tSan\tPROPN\tNNP\tNumber=Sing\t6\tcompound\t6:compound\tNER=B-GPE\n"
    "6\tFrancisco\tFrancisco\tPROPN\tNNP\tNumber=Sing\t3\tobl\t3:obl:in\tSpaceAfter=No|NER=I-GPE\n"
    "7\t!\t!\tPUNCT\t.\t_\t3\tpunct\t3:punct\tNER=O\n"
    "\n";

// The annotated Doc and the tokenizer's Doc of the same text.
inline const std::vector<weft::Doc>& fixed_docs() {
  static const std::vector<weft::Doc> docs = [] {
    std::istringstream in(kConllu);
    weft::ConlluReader reader(in, nlp().vocab(), "<fixed>");
    std::vector<weft::Doc> out;
    out.push_back(*reader.next());
    out.push_back(nlp().make_doc(out[0].text()));
    return out;
  }();
  return docs;
}

// A bound on what matching a set of token patterns costs. spaCy's algorithm, which the Matcher follows
// state for state, keeps a state for every way a run of optional specs may have matched so far, so a
// pattern with k optional specs ("?", "*", "+", and "{n,m}" unrolled into m - n "?") costs about
// 1.4^k per start token: [{"IS_ALPHA": true, "OP": "{0,27}"}, {"OP": "+"}] over 22 tokens takes 3.4 s
// in weft and 5.2 s in spaCy 3.8 (fuzz_matcher timed out on it). That cost is the algorithm's, so
// the targets do not match rule sets whose bound exceeds kMaxPatternCost: they look for bugs.
inline double pattern_cost(const weft::Json& pattern) {
  if (!pattern.is_array()) return 0;
  std::size_t optional = 0;
  for (const weft::Json& spec : pattern) {
    if (!spec.is_object()) continue;
    std::string op;  // the Matcher reads keys in any case ("oP")
    for (const auto& [key, value] : spec.items()) {
      std::string upper = key;
      for (char& c : upper) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      if (upper == "OP" && value.is_string()) op = value.get<std::string>();
    }
    if (op == "?" || op == "*" || op == "+") {
      ++optional;
    } else if (op.size() > 2 && op.front() == '{' && op.back() == '}') {
      const std::string body = op.substr(1, op.size() - 2);
      const std::size_t comma = body.find(',');
      if (comma == std::string::npos) continue;  // {n}: no choice
      auto number = [](const std::string& t, std::size_t fallback) {
        if (t.empty() || t.size() > 6 || t.find_first_not_of("0123456789") != std::string::npos) return fallback;
        return static_cast<std::size_t>(std::stoul(t));
      };
      const std::size_t n = number(body.substr(0, comma), 0);
      const std::string m_text = body.substr(comma + 1);
      optional += m_text.empty() ? 1 : number(m_text, 1000000) - std::min(n, number(m_text, 1000000));
    }
  }
  return std::pow(1.5, static_cast<double>(std::min<std::size_t>(optional, 100)));
}
inline constexpr double kMaxPatternCost = 60;  // about ten optional specs in one pattern

}  // namespace weft_fuzz
