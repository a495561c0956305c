// clinrl generate: sample a reply from a checkpoint for a prompt or a conversation.
#include <iostream>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/text_generation.h"
#include "command.h"
#include "model_load_args.h"

namespace clinrl::cli {
namespace {

const bool registered = register_command({"generate", "generate a reply with a checkpoint (prompt or messages file)",
    [](CLI::App& app) {
      struct Args {
        model::TextGenerationRequest request;
        ModelLoadArgs model;
        std::string prompt, messages;
        bool stream = false, stats = false, print_ids = false;
      };
      auto a = std::make_shared<Args>();
      auto& r = a->request;
      a->model.add_to(app, "the model to generate with", "", {"--model", "--template"});
      app.add_option("--prompt", a->prompt, "user message (or plain text with --raw)");
      app.add_option("--messages", a->messages, "JSON file: [{\"role\": ..., \"content\": ...}, ...]");
      app.add_flag("--raw", r.raw, "no chat template: continue the prompt text");
      app.add_option("--system", r.load.chat.default_system, "system message when the conversation has none");
      app.add_option("--temperature", r.sampler.temperature, "0 = greedy");
      app.add_option("--top-k", r.sampler.top_k, "0 = off");
      app.add_option("--top-p", r.sampler.top_p, "nucleus mass, 1 = off");
      app.add_option("--min-p", r.sampler.min_p, "0 = off");
      app.add_option("--repetition-penalty", r.sampler.repetition_penalty, "1 = off");
      app.add_option("--seed", r.sampler.seed, "sampling seed");
      app.add_option("--max-new-tokens", r.stop.max_new_tokens, "most tokens to generate");
      app.add_option("--stop", r.stop.stop_strings, "stop strings (repeatable)");
      app.add_flag("--stream", a->stream, "print tokens as they are sampled");
      app.add_flag("--stats", a->stats, "print token counts and the stop reason on stderr");
      app.add_flag("--print-ids", a->print_ids,
                   "after the text, print one JSON line {\"ids\", \"logprobs\"}: the generated token ids and log p of each");
      app.callback([a] {
        auto& r = a->request;
        r.checkpoint = a->model.required_checkpoint();
        a->model.apply(r.load);
        if (!a->prompt.empty()) r.prompt = a->prompt;
        if (!a->messages.empty()) r.messages_file = std::filesystem::path(a->messages);
        try {
          r.sampler.validate();
          r.stop.validate();
        } catch (const std::invalid_argument& e) {
          throw UserError(e.what());
        }
        std::function<void(const std::string&)> on_text;
        if (a->stream) on_text = [](const std::string& s) { std::cout << s << std::flush; };
        auto out = model::generate_text(r, on_text);
        if (a->stream) std::cout << "\n";
        else std::cout << out.text << "\n";
        if (a->print_ids)
          std::cout << core::dump_json(core::Json{{"ids", out.generation.tokens}, {"logprobs", out.generation.logprobs}})
                    << "\n";
        if (a->stats)
          std::cerr << core::format("prompt tokens: {}, new tokens: {}, stop: {}\n", out.prompt_tokens,
                                    out.generation.tokens.size(), model::to_string(out.generation.stop_reason));
      });
    }});

}  // namespace
}  // namespace clinrl::cli
