// clinrl score: per-token ids, log-probs and top-k alternatives of given
// texts or conversations under a checkpoint, as JSONL (one line per input).
#include <iostream>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/text_generation.h"
#include "clinrl/model/text_scoring.h"
#include "command.h"
#include "model_load_args.h"

namespace clinrl::cli {
namespace {

const bool registered = register_command({"score", "per-token log-probs of texts or conversations under a checkpoint (JSONL)",
    [](CLI::App& app) {
      struct Args {
        ModelLoadArgs model;
        std::string text, messages, input_jsonl, output;
        int64_t top_k = 0;
      };
      auto a = std::make_shared<Args>();
      a->model.add_to(app, "the model to score with", "");
      app.add_option("--text", a->text, "one plain text (encoded with the tokenizer's special prefix, no chat template)");
      app.add_option("--messages", a->messages, "JSON file: [{\"role\": ..., \"content\": ...}, ...], rendered with the chat template");
      app.add_option("--input-jsonl", a->input_jsonl, "JSONL file: one {\"text\": ...} or {\"messages\": [...]} per line");
      app.add_option("--top-k", a->top_k, "also report the N most likely tokens at every position (0 = off)");
      app.add_option("--output", a->output, "write the JSONL here (atomically) instead of stdout");
      app.callback([a] {
        const int given = !a->text.empty() + !a->messages.empty() + !a->input_jsonl.empty();
        if (given != 1) throw UserError("give exactly one of --text, --messages and --input-jsonl");
        if (a->top_k < 0) throw UserError(core::format("--top-k must be >= 0, got {}", a->top_k));
        // Inputs are read and checked before the model loads: a bad line fails fast.
        std::vector<model::ScoreInput> inputs;
        std::vector<std::string> sources;
        if (!a->text.empty()) {
          inputs.push_back({a->text, {}});
          sources.push_back("--text");
        } else if (!a->messages.empty()) {
          inputs.push_back({std::nullopt, model::read_messages_file(a->messages)});
          sources.push_back(a->messages);
        } else {
          inputs = model::read_score_inputs(a->input_jsonl);
          for (size_t i = 0; i < inputs.size(); ++i) sources.push_back(core::format("{} input {}", a->input_jsonl, i + 1));
        }
        model::ChatModelOptions load;
        a->model.apply(load);
        model::TextScorer scorer(a->model.required_checkpoint(), load);
        std::vector<core::Json> rows;
        for (size_t i = 0; i < inputs.size(); ++i) {
          model::ScoredText scored;
          try {
            scored = scorer.score(inputs[i], a->top_k);
          } catch (const UserError& e) {
            throw UserError(core::format("{}: {}", sources[i], e.what()));
          }
          core::Json row = core::Json{{"index", i}};
          row.update(model::to_json(scored, a->top_k > 0));
          if (a->output.empty()) std::cout << core::dump_json(row) << "\n" << std::flush;
          else rows.push_back(std::move(row));
        }
        if (!a->output.empty()) core::write_jsonl_atomic(a->output, rows);
      });
    }});

}  // namespace
}  // namespace clinrl::cli
