// Options shared by the subcommands that read documents: input/output paths and formats, the
// bad-record policy, threads, and how the pipeline (language, tokenizer) is chosen.
#pragma once

#include <CLI/CLI.hpp>
#include <string>

#include "cli/io.hpp"

namespace weft::cli {

struct PipelineOptions {
  std::string lang = "en";
  std::string tokenizer;  // registry name or a tokenizer.json path; empty = the language's
};

void add_input_options(CLI::App& cmd, InputOptions& in, bool text_options);
void add_pipeline_options(CLI::App& cmd, PipelineOptions& p);
Pipeline make_pipeline(const PipelineOptions& p);

}  // namespace weft::cli
