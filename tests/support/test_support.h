#pragma once
// Shared helpers for tests: scratch directories, the ../shared data folder,
// and running the clinrl program.
#include <filesystem>
#include <string>

namespace clinrl::test {

// A fresh directory under the system temp dir, removed at scope exit.
class TempDir {
 public:
  TempDir();
  ~TempDir();
  TempDir(const TempDir&) = delete;
  TempDir& operator=(const TempDir&) = delete;
  const std::filesystem::path& path() const { return path_; }
  std::filesystem::path operator/(const std::string& name) const { return path_ / name; }

 private:
  std::filesystem::path path_;
};

void write_text(const std::filesystem::path& path, const std::string& text);
std::string read_text(const std::filesystem::path& path);

// ../shared/data/<relative>, or "" when the shared folder is absent (tests
// then skip via CLINRL_REQUIRE_SHARED). When ../shared is present but lacks
// the file, that is an error (std::runtime_error naming it), never a skip.
std::filesystem::path shared_data(const std::string& relative);

// Records that the running test skipped for want of ../shared. The test
// program then exits with kSkipExitCode (ctest's SKIP_RETURN_CODE) when
// nothing failed, so ctest reports the file as skipped, not passed.
void note_skipped(const std::string& reason);
int skipped_count();
constexpr int kSkipExitCode = 77;

// Runs the built clinrl binary with `args` (shell-quoted by the caller);
// returns the exit status and captures stdout+stderr.
struct RunResult {
  int status = -1;
  std::string output;
};
RunResult run_clinrl(const std::string& args);

}  // namespace clinrl::test

// Skips the current test (reported as skipped) when ../shared is not present.
#define CLINRL_REQUIRE_SHARED(path_var, relative)                                                  \
  auto path_var = ::clinrl::test::shared_data(relative);                                           \
  if (path_var.empty()) {                                                                          \
    ::clinrl::test::note_skipped(std::string("../shared/data/") + (relative) + " is absent");      \
    return;                                                                                        \
  }
