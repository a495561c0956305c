// clinrl tokenizer train|encode|decode: byte-level BPE tokenizers (HF tokenizer.json).
#include <iostream>
#include <memory>

#include "clinrl/core/error.h"
#include "clinrl/core/json_io.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/tokenize_jsonl.h"
#include "clinrl/model/tokenizer.h"
#include "command.h"
#include "deprecated.h"

namespace clinrl::cli {
namespace {

void emit_rows(const std::vector<core::Json>& rows, const std::string& output) {
  if (!output.empty()) {
    core::write_jsonl_atomic(output, rows);
    return;
  }
  for (const auto& row : rows) std::cout << core::dump_json(row) << "\n";
}

const bool group = register_group("tokenizer", "train and run byte-level BPE tokenizers (HF tokenizer.json)");

const bool train = register_command({"tokenizer train", "train a byte-level BPE tokenizer and write tokenizer.json",
    [](CLI::App& app) {
      struct Args {
        std::vector<std::string> corpus;
        std::string out;
        model::BpeTrainOptions options;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--corpus", a->corpus, "text or JSONL files (JSONL: every string value)")->required();
      app.add_option("--vocab-size", a->options.vocab_size, "total vocabulary size")->required();
      app.add_option("--out", a->out, "tokenizer.json to write (or a directory)")->required();
      app.add_option("--min-frequency", a->options.min_frequency, "least count of a merged pair");
      app.add_option("--split", a->options.split, "pre-tokenizer rule: gpt2, qwen2 or llama3");
      app.add_option("--special-tokens", a->options.special_tokens, "special tokens (default: ChatML's)");
      app.add_option("--eos-token", a->options.eos_token, "the special token recorded as eos (\"\" for none)");
      app.add_option("--pad-token", a->options.pad_token, "the special token recorded as pad (\"\" for none)");
      app.callback([a] {
        try {
          a->options.validate();
        } catch (const std::invalid_argument& e) {
          throw UserError(std::string("tokenizer train: ") + e.what());
        }
        std::vector<std::filesystem::path> files(a->corpus.begin(), a->corpus.end());
        const auto tokenizer = model::train_bpe_files(files, a->options);
        tokenizer.save(a->out);
        std::cout << "wrote " << a->out << " (vocab " << tokenizer.vocab_size() << ")\n";
      });
    }});

const bool encode = register_command({"tokenizer encode", "text -> token ids ({\"ids\": [...]} per line)",
    [](CLI::App& app) {
      struct Args {
        std::string tokenizer, text, input, output;
        bool add_special = false;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--tokenizer", a->tokenizer, "tokenizer.json or checkpoint directory")->required();
      auto* text = app.add_option("--text", a->text, "one text to encode");
      auto* input = app.add_option("--input-jsonl", a->input, "JSONL of {\"text\": ...}");
      text->excludes(input);
      app.add_option("--out", a->output, "file to write the JSONL to instead of stdout");
      add_deprecated_option(app, "--output", a->output, "--out");
      app.add_flag("--add-special-tokens", a->add_special, "add the post-processor's tokens (e.g. BOS)");
      app.callback([a, text, input] {
        if (text->count() == 0 && input->count() == 0) throw UserError("tokenizer encode: give --text or --input-jsonl");
        const auto tokenizer = model::Tokenizer::load(a->tokenizer);
        if (input->count()) return emit_rows(model::encode_jsonl(tokenizer, a->input, a->add_special), a->output);
        emit_rows({core::Json{{"ids", tokenizer.encode(a->text, a->add_special)}}}, a->output);
      });
    }});

const bool decode = register_command({"tokenizer decode", "token ids -> text",
    [](CLI::App& app) {
      struct Args {
        std::string tokenizer, ids, input, output;
        bool skip_special = false;
      };
      auto a = std::make_shared<Args>();
      app.add_option("--tokenizer", a->tokenizer, "tokenizer.json or checkpoint directory")->required();
      auto* ids = app.add_option("--ids", a->ids, "ids separated by spaces or commas; prints the text");
      auto* input = app.add_option("--input-jsonl", a->input, "JSONL of {\"ids\": [...]}; writes {\"text\": ...} lines");
      ids->excludes(input);
      app.add_option("--out", a->output, "file to write the JSONL to instead of stdout (with --input-jsonl)");
      add_deprecated_option(app, "--output", a->output, "--out");
      app.add_flag("--skip-special-tokens", a->skip_special, "leave special tokens out");
      app.callback([a, ids, input] {
        if (ids->count() == 0 && input->count() == 0) throw UserError("tokenizer decode: give --ids or --input-jsonl");
        const auto tokenizer = model::Tokenizer::load(a->tokenizer);
        if (input->count()) return emit_rows(model::decode_jsonl(tokenizer, a->input, a->skip_special), a->output);
        std::cout << tokenizer.decode(model::parse_id_list(a->ids), a->skip_special) << "\n";
      });
    }});

}  // namespace
}  // namespace clinrl::cli
