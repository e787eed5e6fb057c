// The streamed JSON report (write_report_json, what `corelens analyze --format json` prints) is
// byte for byte the report_to_json text, whatever the size of the pieces, on real sample cores;
// and a sink that refuses a piece stops the stream with an error.
#include <gtest/gtest.h>

#include "core/report/json_report.hpp"
#include "tests/integration/samples.hpp"

namespace corelens::testing {
namespace {

TEST(JsonStream, PiecesMakeTheSameTextAsTheWholeReport) {
  for (const char* sample : {"threads_blocked", "stack_overflow", "inlined_o2"}) {
    const Report& r = sample_report("auto", sample);
    for (int indent : {2, -1}) {
      std::string whole = report_to_json(r, indent);
      std::string streamed;
      std::size_t pieces = 0;
      ASSERT_TRUE(write_report_json(r, [&](std::string_view p) { streamed += p; ++pieces; return true; }, indent));
      EXPECT_EQ(streamed, whole) << sample << " indent " << indent;
      if (whole.size() > (std::size_t{3} << 20)) {
        EXPECT_GT(pieces, 1u) << sample << ": not streamed";
      }
    }
  }
}

TEST(JsonStream, ARefusingSinkFailsTheStream) {
  const Report& r = sample_report("auto", "stack_overflow");
  std::size_t calls = 0;
  EXPECT_FALSE(write_report_json(r, [&](std::string_view) { ++calls; return false; }));
  EXPECT_GE(calls, 1u);
}

}  // namespace
}  // namespace corelens::testing
