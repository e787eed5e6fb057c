// A test that cannot run where it should is a failure, not a skip (tests/expected-skips.txt).
// A developer without some of what .ci/install-deps installs opts out by naming it in the
// environment, CORELENS_SKIP=gui,kernel,...: the tests that need it are then skipped, and their
// skip message carries the marker "opted out (CORELENS_SKIP=AREA)", by which tests/skip_summary.py
// counts them as expected. The areas are listed in tests/expected-skips.txt.
//
// Header-only and free of any test framework, so that QtTest tests can use it too; gtest tests
// use CORELENS_REQUIRE below.
#pragma once

#include <cstdlib>
#include <string>
#include <string_view>

namespace corelens::testing {

// True when $CORELENS_SKIP (a list separated by commas or blanks) names AREA.
inline bool opted_out(std::string_view area) {
  const char* env = std::getenv("CORELENS_SKIP");
  std::string_view list = env != nullptr ? env : "";
  while (!list.empty()) {
    std::size_t end = list.find_first_of(", ");
    if (list.substr(0, end) == area) return true;
    if (end == std::string_view::npos) break;
    list.remove_prefix(end + 1);
  }
  return false;
}

// The skip message: the marker tests/skip_summary.py looks for, then why.
inline std::string opted_out_message(std::string_view area, std::string_view why) {
  return "opted out (CORELENS_SKIP=" + std::string(area) + "): " + std::string(why);
}

// The failure message: why, and the two ways out.
inline std::string required_message(std::string_view area, std::string_view why) {
  return std::string(why) + "\n  .ci/install-deps installs what this test needs; a machine without it opts out with CORELENS_SKIP=" +
         std::string(area);
}

}  // namespace corelens::testing

// In a gtest test body or SetUp: when CONDITION is false, the test fails, or is skipped when
// $CORELENS_SKIP names AREA. WHY (a std::string or text) says what is missing.
#define CORELENS_REQUIRE(area, condition, why)                                                    \
  do {                                                                                            \
    if (!(condition)) {                                                                           \
      if (::corelens::testing::opted_out(area)) GTEST_SKIP() << ::corelens::testing::opted_out_message(area, why); \
      FAIL() << ::corelens::testing::required_message(area, why);                                \
    }                                                                                             \
  } while (false)
