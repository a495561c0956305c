#pragma once
// `clinrl eval --checkpoint STEP_DIR` on a record set reuses the verifier
// settings of the run that wrote the checkpoint (its train_config.json):
// grader, judge, the simulator section (patient and llm_patient included)
// and rubrics.path, unless the eval config or the command line sets them.
#include <filesystem>
#include <string>
#include <vector>

#include "clinrl/core/json_io.h"

namespace clinrl::eval {

// The run's settings as eval-config overrides ("grader=llm", "dialogue.sim={...}"),
// leaving out every key whose top-level section `user_config` (the eval config
// file's JSON) already sets. Empty when the checkpoint holds no train_config.json.
std::vector<std::string> run_verifier_overrides(const std::filesystem::path& checkpoint, const core::Json& user_config);

}  // namespace clinrl::eval
