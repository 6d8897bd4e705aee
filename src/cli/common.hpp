// Options shared by the subcommands that read documents: input/output paths and formats, the
// bad-record policy, threads, and how the pipeline (language, tokenizer) is chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <string>
#include <vector>

#include "cli/io.hpp"
#include "weft/backend/device.hpp"
#include "weft/pipeline/segmenters.hpp"  // ensure_segmenter, disable_segmenters

namespace weft::cli {

struct PipelineOptions {
  std::string lang = "en";
  std::string tokenizer;  // registry name or a tokenizer.json path; empty = the language's
};

// Adds the input file argument and the input format / bad-record options. With `paths`, the argument
// takes any number of files (none = stdin) into *paths instead of one into in.path.
void add_input_options(CLI::App& cmd, InputOptions& in, bool text_options, std::vector<std::string>* paths = nullptr);
void add_pipeline_options(CLI::App& cmd, PipelineOptions& p);
// --progress / --no-progress into `progress` (1 / -1; 0 when neither is given).
void add_progress_option(CLI::App& cmd, int& progress);
// Whether to draw the progress line: forced by the flag, else when stderr is a terminal.
bool progress_wanted(int progress);
// (Pipelines of the commands take texts of any length: max_length 0; weft run sets its --max-length.)
Pipeline make_pipeline(const PipelineOptions& p);
// Replaces the pipeline's tokenizer: a registry name or a tokenizer.json path (empty: no change).
void set_tokenizer_option(Pipeline& nlp, const std::string& tokenizer);

// A trained model folder or a language code (the blank pipeline). Throws ModelError naming the path
// or file when the folder is missing or corrupt.
Pipeline load_model(const std::string& name_or_path);
// Input already split into sentences everywhere (CoNLL-U, DocBin, by `format` or the files' extensions):
// sentence-only components would overwrite the given boundaries, so they are switched off; otherwise
// (text, JSONL) a segmenter is made sure of (weft run, weft render).
void set_segmenters_for(Pipeline& nlp, const std::vector<std::string>& paths, const std::string& format);

// --device cpu|cuda[:N] (run, evaluate, train): where the pipeline's networks run.
void add_device_option(CLI::App& cmd, std::string& device);
// The device named; ValueError (exit 1) naming CUDA and why it is not available, for a GPU this
// process cannot use.
backend::Device device_option(const std::string& device);
// Documents per batch on a GPU where the user gave no --batch-size: large batches keep it busy.
inline constexpr std::size_t kDeviceBatchSize = 4096;

}  // namespace weft::cli
