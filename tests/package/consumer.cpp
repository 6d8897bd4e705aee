// Loads a trained pipeline through the installed package and annotates one sentence; exits non-zero
// unless every annotation the model has is there (run by scripts/check_cmake_package.sh).
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
    std::cout << (ok ? "consumer ok" : "consumer: missing annotations") << '\n';
    return ok ? 0 : 1;
  } catch (const std::exception& e) {
    std::cerr << "weft_consumer: " << e.what() << '\n';
    return 1;
  }
}
