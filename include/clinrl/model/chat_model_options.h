#pragma once
// How a checkpoint directory is loaded as a chat model: its dtype, device and
// chat template. The one struct every config and command that loads a
// checkpoint embeds (the training policy, eval, the local LLM backend,
// generate), so they accept the same values and report the same errors.
// Header free of libtorch: configs include it.
#include <string>

#include "clinrl/model/chat_template.h"

namespace clinrl::model {

struct ChatModelOptions {
  // float32 | bfloat16 | float16 | auto (bfloat16 on CUDA, float32 on CPU;
  // resolved_dtype() gives the one a load uses).
  std::string dtype = "float32";
  std::string device = "cpu";     // cpu | cuda | cuda:N
  ChatTemplateOptions chat;

  // Embedders call this from their own fields(), so the keys sit at their level.
  template <class V>
  void fields(V& v) {
    v("dtype", dtype);
    v("device", device);
    v("chat", chat);
  }
  // std::invalid_argument naming the key ("dtype", "device", "chat.name").
  void validate() const;
  // `dtype` with "auto" and the short forms resolved for `device`
  // ("float32" | "bfloat16" | "float16"); a UserError for a bad name.
  std::string resolved_dtype() const;
};

}  // namespace clinrl::model
