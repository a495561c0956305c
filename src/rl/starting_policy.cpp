#include "clinrl/rl/starting_policy.h"

#include <algorithm>
#include <chrono>

#include "clinrl/core/logging.h"
#include "clinrl/model/bpe_trainer.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/rl/metrics_log.h"
#include "clinrl/rl/sft.h"

namespace fs = std::filesystem;

namespace clinrl::rl {
namespace {

bool has_weights(const fs::path& dir) { return fs::exists(dir / "model.safetensors"); }

// A new model of the configured shape, written as RUN_DIR/init.
fs::path initialise_model(const fs::path& run_dir, const TrainConfig& config, const fs::path& tokenizer_file) {
  const fs::path dir = run_dir / "init";
  auto options = model::load_hf_config(resolve_data_path(config.policy.init_config));
  options.vocab_size = model::Tokenizer::load(tokenizer_file).vocab_size();
  model::Transformer fresh(options);
  fresh->initialize(config.policy.init_seed);
  model::save_checkpoint(fresh, dir, tokenizer_file);
  log::info("policy: new {} model, {} parameters", options.arch, model::parameter_count(options));
  return dir;
}

// SFT on the expert's turns; the result is saved as RUN_DIR/sft.
void warm_start(model::ChatModel& policy, const fs::path& run_dir, const TrainConfig& config,
                DemonstrationSource& demonstrations) {
  auto train_tokens = tokenize_demonstrations(demonstrations.train(), *policy.chat, config.rollout.system_prompt);
  auto val_tokens = tokenize_demonstrations(demonstrations.validation(), *policy.chat, config.rollout.system_prompt);
  MetricsWriter sft_metrics(run_dir / "sft_metrics.jsonl");
  auto report = train_sft(policy, train_tokens, val_tokens, config.sft, config.run.seed, &sft_metrics);
  log::info("sft: {} steps in {} s, train loss {} -> {}, validation loss {} -> {}", report.steps, report.seconds,
            report.first_train_loss, report.last_train_loss, report.first_val_loss, report.last_val_loss);
  policy.save(run_dir / "sft");
}

}  // namespace

DemonstrationSource::DemonstrationSource(const TrainConfig& config, const RunData& data)
    : config_(config), data_(data), book_(QuestionBook::load(resolve_data_path(config.sft.question_book))) {}

const std::vector<Demonstration>& DemonstrationSource::train() {
  if (train_.empty())
    train_ = play_demonstrations(data_.train_sims, book_, config_.sft.expert, config_.sft.demonstrations,
                                 config_.run.seed);
  return train_;
}

std::vector<Demonstration> DemonstrationSource::validation() const {
  // An eighth of the training count, between 1 and 64, on the validation records.
  const int64_t n = std::max<int64_t>(1, std::min<int64_t>(64, config_.sft.demonstrations / 8));
  return play_demonstrations(data_.val_sims, book_, config_.sft.expert, n, config_.run.seed + 1);
}

fs::path provide_tokenizer(const fs::path& run_dir, const TrainConfig& config, DemonstrationSource& demonstrations) {
  const fs::path file = run_dir / "tokenizer.json";
  if (fs::exists(file)) return file;
  if (!config.policy.checkpoint.empty()) {
    model::Tokenizer::load(config.policy.checkpoint).save(file);
  } else if (!config.tokenizer.path.empty()) {
    model::Tokenizer::load(resolve_data_path(config.tokenizer.path)).save(file);
  } else {
    auto t0 = std::chrono::steady_clock::now();
    auto tokenizer =
        model::train_bpe(demonstration_texts(demonstrations.train(), config.rollout.system_prompt), config.tokenizer.train);
    tokenizer.save(file);
    log::info("tokenizer: trained {} ids in {} s", tokenizer.vocab_size(),
              std::chrono::duration<double>(std::chrono::steady_clock::now() - t0).count());
  }
  return file;
}

model::ChatModel provide_policy(const fs::path& run_dir, const TrainConfig& config,
                                const std::optional<CheckpointInfo>& latest, const fs::path& tokenizer_file,
                                DemonstrationSource& demonstrations) {
  const fs::path sft_dir = run_dir / "sft";
  model::ChatModel policy;
  if (latest) {
    policy = model::ChatModel::load(latest->dir, config.policy.load);
  } else if (has_weights(sft_dir)) {
    policy = model::ChatModel::load(sft_dir, config.policy.load);
  } else {
    const fs::path start = config.policy.checkpoint.empty() ? initialise_model(run_dir, config, tokenizer_file)
                                                            : fs::path(config.policy.checkpoint);
    policy = model::ChatModel::load(start, config.policy.load);
    policy.tokenizer_file = tokenizer_file;
    if (config.sft_enabled) warm_start(policy, run_dir, config, demonstrations);
  }
  // Checkpoints copy the run's own tokenizer file: an older checkpoint the
  // policy was loaded from may be pruned while the run goes on.
  policy.tokenizer_file = tokenizer_file;
  return policy;
}

}  // namespace clinrl::rl
