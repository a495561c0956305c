#include "clinrl/rl/starting_policy.h"

#include <algorithm>
#include <chrono>

#include "clinrl/core/json_io.h"
#include "clinrl/core/logging.h"
#include "clinrl/core/strings.h"
#include "clinrl/dist/process_group.h"
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
  auto options = model::load_hf_config(resolve_data_path(config.policy.init_config, "policy.init_config"));
  options.vocab_size = model::Tokenizer::load(tokenizer_file).vocab_size();
  model::Transformer fresh(options);
  fresh->initialize(config.policy.init_seed);
  // Rank 0 writes the run directory; the other ranks read what it wrote.
  if (dist::world().is_main()) model::save_checkpoint(fresh, dir, tokenizer_file);
  dist::world().barrier();
  log::info("policy: new {} model, {} parameters", options.arch, model::parameter_count(options));
  return dir;
}

// SFT on the expert's turns; the result is saved as RUN_DIR/sft.
void warm_start(model::ChatModel& policy, const fs::path& run_dir, const TrainConfig& config,
                DemonstrationSource& demonstrations) {
  auto train_tokens = tokenize_demonstrations(demonstrations.train(), *policy.chat, config.rollout.system_prompt);
  auto val_tokens = tokenize_demonstrations(demonstrations.validation(), *policy.chat, config.rollout.system_prompt);
  const bool main = dist::world().is_main();
  std::optional<MetricsWriter> sft_metrics;
  if (main) sft_metrics.emplace(run_dir / "sft_metrics.jsonl");
  auto report = train_sft(policy, train_tokens, val_tokens, config.sft, config.run.seed,
                          sft_metrics ? &*sft_metrics : nullptr);
  log::info("sft: {} steps in {} s, train loss {} -> {}, validation loss {} -> {}", report.steps, report.seconds,
            report.first_train_loss, report.last_train_loss, report.first_val_loss, report.last_val_loss);
  if (main) policy.save(run_dir / "sft");
  dist::world().barrier();
}

// The checkpoint's own chat template (tokenizer_config.json) is Jinja, which
// clinrl does not render; it uses the built-in template named in the config.
// A warning when the Jinja one visibly belongs to the other family.
void check_chat_family(const fs::path& checkpoint, const std::string& chosen) {
  const fs::path file = checkpoint / "tokenizer_config.json";
  if (!fs::exists(file)) return;
  core::Json config;
  try {
    config = core::read_json_file(file);
  } catch (const std::exception& e) {
    log::warn("{}: not read ({}); chat template '{}' as configured", file.string(), e.what(), chosen);
    return;
  }
  auto it = config.find("chat_template");
  if (it == config.end() || !it->is_string()) return;
  const std::string jinja = it->get<std::string>();
  const bool chatml = jinja.find("<|im_start|>") != std::string::npos;
  const bool llama3 = jinja.find("<|start_header_id|>") != std::string::npos;
  const std::string family = chatml && !llama3 ? "chatml" : llama3 && !chatml ? "llama3" : "";
  if (family.empty()) {
    log::warn("{}: chat_template matches no built-in template; rendering with '{}' as configured", file.string(), chosen);
  } else if (family != chosen) {
    log::warn("{}: the checkpoint's chat_template is {}-style but policy.chat.name is '{}': the model will see a "
              "format it was not tuned on (set policy.chat.name={})",
              file.string(), family, chosen, family);
  } else {
    log::info("chat template: built-in '{}', the family of the checkpoint's own chat_template", chosen);
  }
}

}  // namespace

SftDecision decide_sft(const TrainConfig& config) {
  const bool pretrained = !config.policy.checkpoint.empty();
  if (config.sft_enabled) {
    return {*config.sft_enabled,
            core::format("sft_enabled is {}{}", *config.sft_enabled ? "true" : "false",
                         *config.sft_enabled && pretrained
                             ? core::format(" (on checkpoint {}, lr {})", config.policy.checkpoint, config.sft.optimizer.lr)
                             : "")};
  }
  if (pretrained)
    return {false, core::format("the run starts from checkpoint {} and sft_enabled is unset (set sft_enabled: true, "
                                "with a small sft.optimizer.lr such as 1e-5, to warm-start it)",
                                config.policy.checkpoint)};
  return {true, "a new model, and sft_enabled is unset"};
}

DemonstrationSource::DemonstrationSource(const TrainConfig& config, const RunData& data)
    : config_(config), data_(data), book_(QuestionBook::load(resolve_data_path(config.sft.question_book, "sft.question_book"))) {}

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
    model::Tokenizer::load(resolve_data_path(config.tokenizer.path, "tokenizer.path")).save(file);
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
    if (!config.policy.checkpoint.empty()) check_chat_family(start, config.policy.load.chat.name);
    policy = model::ChatModel::load(start, config.policy.load);
    log::info("policy: {} on {} as {} (dtype {})", start.string(), config.policy.load.device,
              config.policy.load.resolved_dtype(), config.policy.load.dtype);
    policy.tokenizer_file = tokenizer_file;
    const SftDecision sft = decide_sft(config);
    log::info("sft: {}: {}", sft.run ? "runs" : "skipped", sft.reason);
    // 1e-4 is already high for a pretrained model's full fine-tune.
    if (sft.run && !config.policy.checkpoint.empty() && config.sft.optimizer.lr > 1e-4)
      log::warn("sft: lr {} on a pretrained checkpoint is a from-scratch rate and may wreck it (try 1e-5)",
                config.sft.optimizer.lr);
    if (sft.run) warm_start(policy, run_dir, config, demonstrations);
  }
  // Checkpoints copy the run's own tokenizer file: an older checkpoint the
  // policy was loaded from may be pruned while the run goes on.
  policy.tokenizer_file = tokenizer_file;
  return policy;
}

}  // namespace clinrl::rl
