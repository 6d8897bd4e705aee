// A trained pipeline on disk: a folder with meta.json (name, version, language, pipeline, scores,
// sources, licence), config.json (the resolved config: it recreates the pipeline and retrains it),
// tokenizer.json (the complete tokenizer rules) and one sub-folder per component with its weights and
// labels. load() validates everything it reads and names the file on failure.
#pragma once

#include <filesystem>

#include "weft/json.hpp"
#include "weft/pipeline/pipeline.hpp"

namespace weft {

// Writes `nlp` to `dir` (created; files inside it replaced). `config` is the full training config to
// store (its "nlp" and "components" sections are rewritten from the pipeline); meta is stored as given
// plus lang, pipeline and weft_version.
void save_pipeline(const Pipeline& nlp, const std::filesystem::path& dir, const Json& config = Json::object(),
                   const Json& meta = Json::object());

// Loads a model folder (spacy.load). Throws ModelError naming the missing or corrupt file.
Pipeline load(const std::filesystem::path& dir);

// The JSON files of a model folder: reading throws ModelError naming the file (missing or invalid),
// writing IOError.
Json read_model_json(const std::filesystem::path& path);
void write_model_json(const std::filesystem::path& path, const Json& j, int indent = 2);

// A model folder, or a language code for the blank pipeline.
Pipeline load_or_blank(const std::string& name_or_path);

}  // namespace weft
