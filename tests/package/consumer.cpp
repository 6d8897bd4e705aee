// Loads a trained pipeline through the installed package, annotates one sentence and draws it; exits
// non-zero unless every annotation the model has is there (run by scripts/check_cmake_package.sh).
#include <iostream>

#include "weft/weft.hpp"

int main(int argc, char** argv) {
  if (argc != 2) {
    std::cerr << "usage: weft_consumer MODEL_DIR\n";
    return 2;
  }
  try {
    weft::Pipeline nlp = weft::load(argv[1]);
    const weft::Doc doc = nlp("Ada Lovelace wrote the first program in London.");
    bool ok = doc.size() == 9 && !doc.sents().empty();
    for (std::size_t i = 0; i < doc.size(); ++i) {
      const weft::Token t = doc[static_cast<std::ptrdiff_t>(i)];
      std::cout << t.text() << '\t' << t.pos_() << '\t' << t.lemma_() << '\t' << t.dep_() << '\t' << t.head().text() << '\n';
      ok = ok && !t.pos_().empty() && !t.lemma_().empty() && !t.dep_().empty();
    }
    for (const weft::Span& e : doc.ents()) std::cout << "entity: " << e.text() << ' ' << e.label_() << '\n';
    ok = ok && !doc.ents().empty();
    // The renderer from the installed headers and library: one displaCy arc per word but the root.
    const std::string svg = weft::render::render({{&doc, ""}}, weft::render::Options{}).markup;
    std::size_t arcs = 0;
    for (std::size_t at = svg.find("class=\"displacy-arc\""); at != std::string::npos; at = svg.find("class=\"displacy-arc\"", at + 1)) ++arcs;
    ok = ok && arcs > 0 && arcs < doc.size();
    std::cout << (ok ? "consumer ok" : "consumer: missing annotations") << '\n';
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "weft_consumer: " << e.what() << '\n';
    return 1;
  }
}
