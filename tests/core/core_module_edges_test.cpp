// The build's dependency-direction check (tools/check_module_edges.cmake),
// run on small trees: it passes the project itself and fails on a wrong edge.
#include <catch2/catch.hpp>

#include <array>
#include <cstdio>
#include <string>

#include "support/test_support.h"

namespace {

struct CheckResult {
  int status = -1;
  std::string output;
};

CheckResult check_edges(const std::string& source_dir) {
  std::string cmd = "cmake -DSOURCE_DIR='" + source_dir + "' -P '" CLINRL_SOURCE_DIR
                    "/tools/check_module_edges.cmake' 2>&1";
  CheckResult r;
  FILE* pipe = popen(cmd.c_str(), "r");
  REQUIRE(pipe);
  std::array<char, 4096> buf{};
  size_t n;
  while ((n = fread(buf.data(), 1, buf.size(), pipe)) > 0) r.output.append(buf.data(), n);
  r.status = pclose(pipe);
  return r;
}

}  // namespace

TEST_CASE("the project's own modules follow the dependency direction", "[core]") {
  auto r = check_edges(CLINRL_SOURCE_DIR);
  INFO(r.output);
  CHECK(r.status == 0);
}

TEST_CASE("a module including an upper module fails the check, naming the file and include", "[core]") {
  clinrl::test::TempDir tree;
  clinrl::test::write_text(tree / "src/sim/ok.cpp", "#include \"clinrl/records/record.h\"\n");
  clinrl::test::write_text(tree / "src/sim/bad.cpp", "#include \"clinrl/rl/rollout.h\"\n");
  clinrl::test::write_text(tree / "include/clinrl/serve/server.h", "  #include \"clinrl/eval/report.h\"\n");
  auto r = check_edges(tree.path().string());
  CHECK(r.status != 0);
  CHECK_THAT(r.output, Catch::Matchers::Contains("src/sim/bad.cpp: #include \"clinrl/rl/rollout.h\""));
  CHECK_THAT(r.output, Catch::Matchers::Contains("include/clinrl/serve/server.h"));
  CHECK_THAT(r.output, !Catch::Matchers::Contains("ok.cpp"));
}

TEST_CASE("lower modules may be included from above", "[core]") {
  clinrl::test::TempDir tree;
  clinrl::test::write_text(tree / "src/eval/a.cpp", "#include \"clinrl/rl/rollout.h\"\n#include \"clinrl/llm/x.h\"\n");
  clinrl::test::write_text(tree / "src/llm/b.cpp", "#include \"clinrl/model/chat_model.h\"\n");
  auto r = check_edges(tree.path().string());
  INFO(r.output);
  CHECK(r.status == 0);
}
