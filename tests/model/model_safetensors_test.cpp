#include <catch2/catch.hpp>

#include <cstring>

#include "clinrl/core/error.h"
#include "clinrl/model/safetensors.h"
#include "support/test_support.h"

using namespace clinrl;

namespace {

// A file from a raw header string and `data_bytes` zero bytes of data.
void write_raw(const std::filesystem::path& path, const std::string& header, size_t data_bytes,
               uint64_t declared_length = UINT64_MAX) {
  uint64_t n = declared_length == UINT64_MAX ? header.size() : declared_length;
  std::string bytes(8, '\0');
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<char>(n >> (8 * i));
  bytes += header;
  bytes += std::string(data_bytes, '\0');
  test::write_text(path, bytes);
}

std::string open_error(const std::filesystem::path& path) {
  try {
    auto f = model::SafetensorsFile::open(path);
    return "no error";
  } catch (const UserError& e) {
    return e.what();
  }
}

}  // namespace

TEST_CASE("safetensors: round trip of every dtype, bit for bit", "[model]") {
  test::TempDir dir;
  model::NamedTensors tensors = {
      {"a.f32", torch::randn({3, 4})},
      {"b.bf16", torch::randn({5}).to(torch::kBFloat16)},
      {"c.f16", torch::randn({2, 2}).to(torch::kFloat16)},
      {"d.i64", torch::arange(7, torch::kInt64)},
      {"e.scalar", torch::tensor(3.5)},
      {"f.empty", torch::zeros({0, 3})},
      {"g.bool", torch::tensor({true, false, true})},
  };
  model::save_safetensors(dir / "x.safetensors", tensors, {{"format", "pt"}});
  auto f = model::SafetensorsFile::open(dir / "x.safetensors");
  CHECK(f.header().metadata.at("format") == "pt");
  CHECK(f.header().data_start % 8 == 0);
  for (const auto& [name, t] : tensors) {
    auto back = f.tensor(name);
    CHECK(back.scalar_type() == t.scalar_type());
    CHECK(back.sizes() == t.sizes());
    CHECK(torch::equal(back, t));
  }
}

TEST_CASE("safetensors: sharded checkpoints load through the index", "[model]") {
  test::TempDir dir;
  model::save_safetensors(dir / "model-00001-of-00002.safetensors", {{"w1", torch::ones({2})}});
  model::save_safetensors(dir / "model-00002-of-00002.safetensors", {{"w2", torch::zeros({3})}});
  test::write_text(dir / "model.safetensors.index.json",
                   R"({"metadata": {}, "weight_map": {"w1": "model-00001-of-00002.safetensors",
                       "w2": "model-00002-of-00002.safetensors"}})");
  auto all = model::load_safetensors(dir / "model.safetensors.index.json");
  CHECK(all.size() == 2);
  CHECK(torch::equal(all.at("w2"), torch::zeros({3})));
  test::write_text(dir / "bad.index.json", R"({"weight_map": {"w3": "model-00001-of-00002.safetensors"}})");
  CHECK_THROWS_WITH(model::load_safetensors(dir / "bad.index.json"), Catch::Contains("'w3'"));
}

TEST_CASE("safetensors: corrupted files are rejected with an error naming the problem", "[model]") {
  test::TempDir dir;
  auto p = dir / "bad.safetensors";
  const std::string good = R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[0,8]}})";

  SECTION("truncated before the length") {
    test::write_text(p, "abc");
    CHECK_THAT(open_error(p), Catch::Contains("truncated"));
  }
  SECTION("truncated data") {
    write_raw(p, good, 4);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'w'") && Catch::Contains("past the data section"));
  }
  SECTION("oversized header length") {
    write_raw(p, good, 8, uint64_t(1) << 60);
    CHECK_THAT(open_error(p), Catch::Contains("header length"));
  }
  SECTION("header length past the end of the file") {
    write_raw(p, good, 8, 1000);
    CHECK_THAT(open_error(p), Catch::Contains("past the end of the file"));
  }
  SECTION("not JSON") {
    write_raw(p, "{\"w\": [", 8);
    CHECK_THAT(open_error(p), Catch::Contains("not valid JSON"));
  }
  SECTION("overlapping offsets") {
    write_raw(p, R"({"a":{"dtype":"F32","shape":[2],"data_offsets":[0,8]},"b":{"dtype":"F32","shape":[2],"data_offsets":[4,12]}})", 12);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'b'") && Catch::Contains("overlap tensor 'a'"));
  }
  SECTION("out-of-range offsets") {
    write_raw(p, R"({"w":{"dtype":"F32","shape":[2],"data_offsets":[16,24]}})", 8);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'w'"));
  }
  SECTION("begin after end") {
    write_raw(p, R"({"w":{"dtype":"U8","shape":[0],"data_offsets":[8,4]}})", 8);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'w'") && Catch::Contains("begin after end"));
  }
  SECTION("bad dtype") {
    write_raw(p, R"({"w":{"dtype":"F31","shape":[2],"data_offsets":[0,8]}})", 8);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'w'") && Catch::Contains("unsupported dtype 'F31'"));
  }
  SECTION("shape and size disagree") {
    write_raw(p, R"({"w":{"dtype":"F32","shape":[3],"data_offsets":[0,8]}})", 8);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'w'") && Catch::Contains("need 12 bytes"));
  }
  SECTION("shape overflow") {
    write_raw(p, R"({"w":{"dtype":"F32","shape":[4294967296,4294967296],"data_offsets":[0,8]}})", 8);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'w'") && Catch::Contains("too large"));
  }
  SECTION("negative shape") {
    write_raw(p, R"({"w":{"dtype":"F32","shape":[-2],"data_offsets":[0,8]}})", 8);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'w'") && Catch::Contains("non-negative"));
  }
  SECTION("missing offsets") {
    write_raw(p, R"({"w":{"dtype":"F32","shape":[2]}})", 8);
    CHECK_THAT(open_error(p), Catch::Contains("tensor 'w'") && Catch::Contains("data_offsets"));
  }
  SECTION("a valid file still opens") {
    write_raw(p, good, 8);
    CHECK(open_error(p) == "no error");
  }
}

TEST_CASE("safetensors: read_into converts dtype, also from misaligned offsets, and checks the shape", "[model]") {
  test::TempDir dir;
  // One byte first puts "b" at data offset 1: not aligned for float32.
  model::save_safetensors(dir / "x.safetensors", {{"a", torch::tensor({7}, torch::kUInt8)},
                                                   {"b", torch::tensor({1.5f, -2.25f, 3.0f})}});
  auto f = model::SafetensorsFile::open(dir / "x.safetensors");
  CHECK(f.info("b").begin == 1);
  auto target = torch::empty({3}, torch::kFloat64);
  f.read_into("b", target);
  CHECK(torch::equal(target, torch::tensor({1.5, -2.25, 3.0}, torch::kFloat64)));
  auto bf16 = torch::empty({3}, torch::kBFloat16);
  f.read_into("b", bf16);
  CHECK(torch::equal(bf16, torch::tensor({1.5f, -2.25f, 3.0f}).to(torch::kBFloat16)));
  auto wrong = torch::empty({4});
  CHECK_THROWS_WITH(f.read_into("b", wrong), Catch::Contains("tensor 'b' has shape [3] but the target needs [4]"));
  // Read again after its pages were dropped: the same values.
  f.read_into("b", target);
  CHECK(target[2].item<double>() == 3.0);
}
