#include "clinrl/model/chat_model.h"

#include <stdexcept>

#include "clinrl/core/error.h"
#include "clinrl/core/strings.h"
#include "clinrl/model/checkpoint.h"
#include "clinrl/model/device.h"

namespace clinrl::model {

void ChatModelOptions::validate() const {
  try {
    check_dtype_name(dtype, "dtype");
    check_device_name(device, "device");
  } catch (const UserError& e) {  // as validate() reports: the config loader adds the section
    throw std::invalid_argument(e.what());
  }
  chat.validate();
}

ChatModel ChatModel::load(const std::filesystem::path& checkpoint_dir, const ChatModelOptions& options) {
  try {
    options.validate();
  } catch (const std::invalid_argument& e) {
    throw UserError(core::format("{}: {}", checkpoint_dir.string(), e.what()));
  }
  ChatModel loaded;
  loaded.tokenizer_file = checkpoint_dir / "tokenizer.json";
  if (!std::filesystem::exists(loaded.tokenizer_file))
    throw UserError(core::format("{}: no tokenizer.json in the checkpoint", checkpoint_dir.string()));
  loaded.tokenizer = std::make_shared<Tokenizer>(Tokenizer::load(loaded.tokenizer_file));
  loaded.chat = std::make_shared<ChatTemplate>(ChatTemplate::create(options.chat, loaded.tokenizer));
  const std::string dtype = options.resolved_dtype();  // "auto" decided by the device
  try {
    loaded.model = load_checkpoint(checkpoint_dir, parse_dtype(dtype), parse_device(options.device));
  } catch (const c10::Error& e) {  // an unavailable device, a dtype the device lacks
    throw UserError(core::format("{}: cannot load on {} as {}: {}", checkpoint_dir.string(), options.device,
                                 dtype, e.what_without_backtrace()));
  }
  if (loaded.model->options().vocab_size < loaded.tokenizer->vocab_size())
    throw UserError(core::format("{}: the model's vocab_size {} is smaller than the tokenizer's {}",
                                 checkpoint_dir.string(), loaded.model->options().vocab_size,
                                 loaded.tokenizer->vocab_size()));
  return loaded;
}

void ChatModel::save(const std::filesystem::path& dir) { save_checkpoint(model, dir, tokenizer_file); }

std::vector<int64_t> ChatModel::stop_ids() const {
  std::vector<int64_t> ids;
  for (int32_t id : chat->stop_ids()) ids.push_back(id);
  return ids;
}

}  // namespace clinrl::model
