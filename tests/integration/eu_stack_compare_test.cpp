// corelens and eu-stack (elfutils) agree on every thread of every sample core, frame by frame,
// inlined frames included: the same functions, in the same order, on the same source lines.
#include <gtest/gtest.h>

#include "tests/integration/peer_tools.hpp"
#include "tests/integration/samples.hpp"

namespace corelens::testing {
namespace {

class EuStackAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(EuStackAgreement, EveryThreadFrameByFrame) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    const std::string& sample = GetParam();
    expect_eu_stack_agrees(sample_report(method, sample), core_path(method, sample), exe_path(method, sample));
  }
}

std::vector<std::string> sample_names() {
  std::vector<std::string> out;
  for (const auto& s : sample_expectations()) out.push_back(s.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Samples, EuStackAgreement, ::testing::ValuesIn(sample_names()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace corelens::testing
