// model/device.h: the device and dtype names every config key and flag accepts.
#include <catch2/catch.hpp>

#include "clinrl/core/error.h"
#include "clinrl/model/device.h"

using namespace clinrl;
using Catch::Contains;

TEST_CASE("device: cpu, cuda and cuda:N are devices; the error names the flag or key", "[model]") {
  for (const char* ok : {"cpu", "cuda", "cuda:0", "cuda:12"}) CHECK_NOTHROW(model::check_device_name(ok, "--device"));
  for (const char* bad : {"gpu", "cuda:", "cuda:x", "cuda:0:1", "CPU", "", "cudax"})
    CHECK_THROWS_AS(model::check_device_name(bad, "--device"), UserError);
  CHECK_THROWS_WITH(model::check_device_name("gpu", "policy.device"),
                    Contains("policy.device") && Contains("'gpu'") && Contains("cpu, cuda or cuda:N"));
  CHECK(model::parse_device("cpu") == torch::Device(torch::kCPU));
  CHECK(model::parse_device("cuda:1").index() == 1);
  CHECK_THROWS_AS(model::parse_device("tpu"), UserError);
}

TEST_CASE("device: dtype names and their short forms", "[model]") {
  for (const char* ok : {"float32", "fp32", "bfloat16", "bf16", "float16", "fp16"})
    CHECK_NOTHROW(model::check_dtype_name(ok, "--dtype"));
  CHECK_THROWS_WITH(model::check_dtype_name("half", "--dtype"),
                    Contains("--dtype") && Contains("'half'") && Contains("float32, bfloat16 or float16"));
}
