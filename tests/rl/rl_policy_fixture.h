#pragma once
// A tiny random chat policy over a BPE tokenizer trained on a few expert
// demonstrations: what the rollout tests play episodes with.
#include <filesystem>
#include <memory>
#include <vector>

#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/chat_model.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/rl/demonstrations.h"
#include "clinrl/rl/expert_doctor.h"

namespace clinrl::test {

struct TinyPolicyShape {
  int64_t vocab_size = 400;
  int64_t demonstrations = 8;
  int64_t max_position_embeddings = 2048;
  uint64_t init_seed = 3;
};

inline model::ChatModel tiny_policy(const std::filesystem::path& dir,
                                    const std::vector<std::shared_ptr<const sim::PatientSimulator>>& sims,
                                    const TinyPolicyShape& shape = {}) {
  auto book = rl::QuestionBook::load(std::filesystem::path(CLINRL_SOURCE_DIR) / "data/rl/expert_questions.json");
  auto demos = rl::play_demonstrations(sims, book, rl::ExpertOptions{}, shape.demonstrations, 1);
  model::BpeTrainOptions tok;
  tok.vocab_size = shape.vocab_size;
  model::train_bpe(rl::demonstration_texts(demos, "You are a doctor."), tok).save(dir / "tokenizer.json");
  model::TransformerOptions o;
  o.vocab_size = shape.vocab_size;
  o.hidden_size = 32;
  o.intermediate_size = 64;
  o.num_hidden_layers = 2;
  o.num_attention_heads = 4;
  o.num_key_value_heads = 2;
  o.max_position_embeddings = shape.max_position_embeddings;
  o.tie_word_embeddings = true;
  model::Transformer m(o);
  m->initialize(shape.init_seed);
  model::save_checkpoint(m, dir / "ckpt", dir / "tokenizer.json");
  return model::ChatModel::load(dir / "ckpt", model::ChatModelOptions{});
}

}  // namespace clinrl::test
