#include <catch2/catch.hpp>

#include "clinrl/core/error.h"
#include "clinrl/rl/checkpoint_dir.h"
#include "clinrl/rl/lr_schedule.h"
#include "clinrl/rl/optimizer.h"
#include "support/test_support.h"

namespace fs = std::filesystem;
using namespace clinrl;

namespace {

rl::CheckpointContents with_marker_model(int64_t step) {
  rl::CheckpointContents c;
  c.write_model = [step](const fs::path& dir) { test::write_text(dir / "model.safetensors", std::to_string(step)); };
  c.trainer_state = core::Json{{"note", "x"}};
  return c;
}

std::vector<int64_t> steps_of(const rl::CheckpointDir& d) {
  std::vector<int64_t> out;
  for (const auto& c : d.list_complete()) out.push_back(c.step);
  return out;
}

}  // namespace

TEST_CASE("checkpoint dir: layout, marker written, last K kept", "[rl]") {
  test::TempDir run;
  rl::CheckpointDir d(run.path(), 2);
  CHECK(d.path_for(42) == run.path() / "checkpoints" / "step-000042");
  CHECK_FALSE(d.latest_complete());
  for (int64_t s = 1; s <= 5; ++s) d.save(s * 10, with_marker_model(s * 10));
  CHECK(steps_of(d) == std::vector<int64_t>{40, 50});
  CHECK_FALSE(fs::exists(d.path_for(30)));
  auto latest = d.latest_complete();
  REQUIRE(latest);
  CHECK(latest->step == 50);
  CHECK(test::read_text(latest->dir / "model.safetensors") == "50");
  auto marker = core::read_json_file(latest->dir / "complete.json");
  CHECK(marker["step"] == 50);
  CHECK(marker["files"] == core::Json::array({"model.safetensors", "trainer_state.json"}));
  auto state = rl::read_trainer_state(latest->dir);
  CHECK(state["step"] == 50);
  CHECK(state["note"] == "x");
  // Only the step directories remain: no staging leftovers.
  int entries = 0;
  for (const auto& e : fs::directory_iterator(d.root())) entries += e.path().filename().string().empty() ? 0 : 1;
  CHECK(entries == 2);
}

TEST_CASE("checkpoint dir: a staged or unmarked checkpoint is ignored", "[rl]") {
  test::TempDir run;
  rl::CheckpointDir d(run.path(), 3);
  d.save(5, with_marker_model(5));
  // A crash during a save leaves a hidden staging directory (even one that got
  // as far as its marker), and damage can leave a step directory without its marker.
  test::write_text(d.root() / ".step-000010.tmp.999.0" / "complete.json", "{\"step\":10}");
  test::write_text(d.path_for(20) / "model.safetensors", "partial");
  auto latest = d.latest_complete();
  REQUIRE(latest);
  CHECK(latest->step == 5);
  CHECK(steps_of(d) == std::vector<int64_t>{5});
  // The next save clears the staging leftovers and still ignores step 20.
  d.save(6, with_marker_model(6));
  CHECK_FALSE(fs::exists(d.root() / ".step-000010.tmp.999.0"));
  CHECK(d.latest_complete()->step == 6);
}

TEST_CASE("checkpoint dir: a failing save leaves the previous checkpoints intact", "[rl]") {
  test::TempDir run;
  rl::CheckpointDir d(run.path(), 3);
  d.save(1, with_marker_model(1));
  rl::CheckpointContents bad;
  bad.write_model = [](const fs::path& dir) {
    test::write_text(dir / "model.safetensors", "half");
    throw UserError("disk full");
  };
  CHECK_THROWS_WITH(d.save(2, bad), "disk full");
  CHECK_FALSE(fs::exists(d.path_for(2)));
  CHECK(d.latest_complete()->step == 1);
  // Saving the same step again replaces it whole.
  auto again = with_marker_model(1);
  again.write_model = [](const fs::path& dir) { test::write_text(dir / "model.safetensors", "new"); };
  d.save(1, again);
  CHECK(test::read_text(d.path_for(1) / "model.safetensors") == "new");
  int count = 0;
  for (const auto& e : fs::directory_iterator(d.root())) count += e.is_directory() ? 1 : 0;
  CHECK(count == 1);
}

TEST_CASE("checkpoint dir: RNG states round-trip exactly as hex JSON", "[rl]") {
  Rng rng = Rng::stream(7, "episode", 3);
  rng.next_u64();
  auto j = rl::rng_state_to_json(rng);
  REQUIRE(j.size() == 4);
  CHECK(j[0].get<std::string>().size() == 16);
  Rng back = rl::rng_from_json(core::Json::parse(j.dump()), "state.rng");
  for (int i = 0; i < 10; ++i) CHECK(back.next_u64() == rng.next_u64());
  CHECK_THROWS_AS(rl::rng_from_json(core::Json::array({"12", "34"}), "x"), UserError);
  CHECK_THROWS_AS(rl::rng_from_json(core::Json::array({"zzzzzzzzzzzzzzzz", "0000000000000000", "0000000000000000",
                                                        "0000000000000000"}),
                                    "x"),
                  UserError);
}

namespace {

// A tiny regression model trained with AdamW; returns its parameters.
struct Toy {
  torch::Tensor w, b;
  std::unique_ptr<torch::optim::Optimizer> adam;
  rl::OptimizerOptions options;

  Toy() {
    torch::manual_seed(3);
    w = torch::randn({4, 3}).requires_grad_(true);
    b = torch::randn({4}).requires_grad_(true);
    options.lr = 0.05;
    options.warmup_steps = 2;
    options.total_steps = 10;
    options.weight_decay = 0.1;
    adam = rl::make_adamw({w}, {b}, options);
  }
  void step(int64_t i) {
    auto x = torch::linspace(-1, 1, 6 * 3).view({6, 3}) * static_cast<double>(i + 1);
    auto y = torch::matmul(x, w.t()) + b;
    auto loss = (y - 1.0).pow(2).mean();
    adam->zero_grad();
    loss.backward();
    rl::clip_gradients({w, b}, 1.0, i);
    rl::set_learning_rate(*adam, rl::learning_rate_at(options, i));
    adam->step();
  }
};

}  // namespace

TEST_CASE("checkpoint dir: AdamW state round trip gives bit-identical next steps", "[rl]") {
  test::TempDir run;
  rl::CheckpointDir d(run.path(), 2);
  Toy a;
  for (int64_t i = 0; i < 3; ++i) a.step(i);
  rl::CheckpointContents c;
  c.write_model = [&](const fs::path& dir) {
    std::vector<torch::Tensor> params = {a.w.detach(), a.b.detach()};
    torch::save(params, (dir / "params.pt").string());
  };
  c.optimizer = a.adam.get();
  d.save(3, c);
  for (int64_t i = 3; i < 6; ++i) a.step(i);

  auto restore = [&](bool load_state) {
    Toy t;
    std::vector<torch::Tensor> params;
    torch::load(params, (d.path_for(3) / "params.pt").string());
    torch::NoGradGuard g;
    t.w.copy_(params[0]);
    t.b.copy_(params[1]);
    if (load_state) rl::load_optimizer(d.path_for(3), *t.adam);
    return t;
  };
  Toy resumed = restore(true);
  for (int64_t i = 3; i < 6; ++i) resumed.step(i);
  CHECK(torch::equal(resumed.w, a.w));
  CHECK(torch::equal(resumed.b, a.b));
  // Without the optimizer state the continuation differs: the state matters.
  Toy fresh = restore(false);
  for (int64_t i = 3; i < 6; ++i) fresh.step(i);
  CHECK_FALSE(torch::equal(fresh.w, a.w));
  // A corrupt optimizer file is a clear error.
  test::write_text(d.path_for(3) / "optimizer.pt", "garbage");
  Toy t;
  CHECK_THROWS_WITH(rl::load_optimizer(d.path_for(3), *t.adam), Catch::Matchers::Contains("cannot load optimizer state"));
}
