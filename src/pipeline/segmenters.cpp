#include "weft/pipeline/segmenters.hpp"

#include "weft/json.hpp"

namespace weft {

bool is_segmenter(const Pipeline& nlp, const std::string& name) { return Pipeline::is_segmenter(nlp.get_pipe(name)); }

bool has_segmenter(const Pipeline& nlp) {
  for (const std::string& name : nlp.pipe_names())
    if (is_segmenter(nlp, name)) return true;
  return false;
}

bool ensure_segmenter(Pipeline& nlp) {
  if (has_segmenter(nlp)) return false;
  const std::vector<std::string> names = nlp.component_names();
  std::string name = "sentencizer";
  for (int i = 2; nlp.has_pipe(name); ++i) name = "sentencizer" + std::to_string(i);
  nlp.add_pipe("sentencizer", name, Json::object(), names.empty() ? std::string() : names.front());
  return true;
}

void disable_segmenters(Pipeline& nlp) {
  for (const std::string& name : nlp.pipe_names())
    if (Pipeline::is_sentence_only(nlp.get_pipe(name))) nlp.disable_pipe(name);
}

}  // namespace weft
