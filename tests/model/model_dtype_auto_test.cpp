// model/device.h: dtype "auto" and the short forms resolve by device, and
// ChatModelOptions reports the dtype a load uses.
#include <catch2/catch.hpp>

#include "clinrl/core/error.h"
#include "clinrl/model/chat_model_options.h"
#include "clinrl/model/device.h"

using namespace clinrl;
using Catch::Contains;

TEST_CASE("dtype auto: bfloat16 on every CUDA device, float32 on the CPU", "[model]") {
  CHECK(model::resolve_dtype_name("auto", "cpu") == "float32");
  CHECK(model::resolve_dtype_name("auto", "cuda") == "bfloat16");
  CHECK(model::resolve_dtype_name("auto", "cuda:3") == "bfloat16");
  CHECK(model::resolve_dtype("auto", "cpu") == torch::kFloat32);
  CHECK(model::resolve_dtype("auto", "cuda:0") == torch::kBFloat16);
  CHECK_NOTHROW(model::check_dtype_name("auto", "--dtype"));
}

TEST_CASE("dtype auto: explicit names win over the device and short forms get their full name", "[model]") {
  CHECK(model::resolve_dtype_name("float32", "cuda") == "float32");
  CHECK(model::resolve_dtype_name("bfloat16", "cpu") == "bfloat16");
  CHECK(model::resolve_dtype_name("fp32", "cuda") == "float32");
  CHECK(model::resolve_dtype_name("bf16", "cpu") == "bfloat16");
  CHECK(model::resolve_dtype_name("fp16", "cuda") == "float16");
  CHECK(model::resolve_dtype("fp16", "cpu") == torch::kFloat16);
}

TEST_CASE("dtype auto: a bad dtype or device is refused naming it", "[model]") {
  CHECK_THROWS_WITH(model::resolve_dtype_name("automatic", "cpu"),
                    Contains("'automatic'") && Contains("auto: bfloat16 on CUDA, float32 on CPU"));
  CHECK_THROWS_WITH(model::resolve_dtype_name("auto", "gpu"), Contains("'gpu'") && Contains("cpu, cuda or cuda:N"));
}

TEST_CASE("dtype auto: ChatModelOptions resolve it for their own device and validate it", "[model]") {
  model::ChatModelOptions options;
  CHECK(options.resolved_dtype() == "float32");  // the default stays float32 on every device
  options.dtype = "auto";
  CHECK_NOTHROW(options.validate());
  CHECK(options.resolved_dtype() == "float32");
  options.device = "cuda";
  CHECK(options.resolved_dtype() == "bfloat16");
  options.dtype = "int8";
  CHECK_THROWS_WITH(options.validate(), Contains("dtype") && Contains("'int8'"));
}
