// The test program: Catch2's session, plus the skip protocol of
// support/test_support.h: a run in which a test skipped for want of ../shared
// and nothing failed exits with kSkipExitCode, which ctest reports as skipped.
#define CATCH_CONFIG_RUNNER
#include <catch2/catch.hpp>

#include "support/test_support.h"

int main(int argc, char** argv) {
  const int failed = Catch::Session().run(argc, argv);
  if (failed == 0 && clinrl::test::skipped_count() > 0) return clinrl::test::kSkipExitCode;
  return failed;
}
