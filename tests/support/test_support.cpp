#include "support/test_support.h"

#include <sys/wait.h>
#include <unistd.h>

#include <array>
#include <atomic>
#include <cstdio>
#include <fstream>
#include <iostream>
#include <sstream>
#include <stdexcept>

namespace fs = std::filesystem;

namespace clinrl::test {

TempDir::TempDir() {
  static std::atomic<int> counter{0};
  path_ = fs::temp_directory_path() /
          ("clinrl-test-" + std::to_string(::getpid()) + "-" + std::to_string(counter++));
  fs::remove_all(path_);
  fs::create_directories(path_);
}

TempDir::~TempDir() {
  std::error_code ec;
  fs::remove_all(path_, ec);
}

void write_text(const fs::path& path, const std::string& text) {
  if (path.has_parent_path()) fs::create_directories(path.parent_path());
  std::ofstream out(path, std::ios::binary);
  out << text;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

std::string read_text(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw std::runtime_error("cannot read " + path.string());
  std::ostringstream ss;
  ss << in.rdbuf();
  return ss.str();
}

fs::path shared_data(const std::string& relative) {
  const fs::path shared(CLINRL_SHARED_DIR);
  fs::path p = shared / "data" / relative;
  if (fs::exists(p)) return p;
  if (fs::exists(shared))
    throw std::runtime_error(p.string() + " is missing although ../shared is present: the test data is incomplete");
  return {};
}

namespace {
std::atomic<int> g_skipped{0};
}

void note_skipped(const std::string& reason) {
  ++g_skipped;
  std::cerr << "skipped: " << reason << " (see ../shared/data/SOURCES.md)\n";
}

int skipped_count() { return g_skipped.load(); }

RunResult run_clinrl(const std::string& args) {
  std::string command = std::string(CLINRL_BINARY) + " " + args + " 2>&1";
  RunResult result;
  FILE* pipe = ::popen(command.c_str(), "r");
  if (!pipe) throw std::runtime_error("cannot run " + command);
  std::array<char, 4096> buffer{};
  size_t n;
  while ((n = fread(buffer.data(), 1, buffer.size(), pipe)) > 0) result.output.append(buffer.data(), n);
  int status = ::pclose(pipe);
  result.status = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  return result;
}

}  // namespace clinrl::test
