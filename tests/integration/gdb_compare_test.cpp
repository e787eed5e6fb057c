// corelens and gdb agree on every thread of every sample core: the same functions, inlined frames
// included, at the same pcs, in the same files, on the same lines, from frame 0 up to main (gdb
// does not show frames past main).
//
// One documented difference (peer_tools.hpp): gdb synthesises "tail-call frames" from DWARF call
// sites that are not on the stack; each is accepted only where DWARF marks a tail call returning
// to its pc. Every frame of ours must appear in gdb's list, in order.
#include <gtest/gtest.h>

#include "tests/integration/peer_tools.hpp"
#include "tests/integration/samples.hpp"

namespace corelens::testing {
namespace {

class GdbAgreement : public ::testing::TestWithParam<std::string> {};

TEST_P(GdbAgreement, EveryThreadUpToMain) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    const std::string& sample = GetParam();
    expect_gdb_agrees(sample_report(method, sample), core_path(method, sample), exe_path(method, sample));
  }
}

std::vector<std::string> sample_names() {
  std::vector<std::string> out;
  for (const auto& s : sample_expectations()) out.push_back(s.name);
  return out;
}

INSTANTIATE_TEST_SUITE_P(Samples, GdbAgreement, ::testing::ValuesIn(sample_names()),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace corelens::testing
