// Helpers shared by the GUI tests: where the sample cores are, and the marker lines of the
// samples' sources (as tests/integration/samples.hpp does, without GoogleTest).
#pragma once

#include <QApplication>
#include <QObject>
#include <QString>

#include "core/model/report.hpp"
#include "tests/support/opt_out.hpp"

namespace corelens::gui::testing {

// QTest::qExec, except that a run without failures but with a skip (QSKIP) exits 77, the
// SKIP_RETURN_CODE ctest is told about (tests/gui/CMakeLists.txt): a skip never shows as a pass,
// and a failure still wins.
int exec_reporting_skips(QObject* test, int argc, char** argv);

QString core_path(const QString& method, const QString& sample);
// Line number of the line containing MARKER in samples/SOURCE (0 when absent); "CALL-SITE f"
// does not match "CALL-SITE f3".
int marker_line(const QString& source, const QString& marker);
// A small Report built by hand: three threads with identical stacks, one crashed thread, a heap,
// mappings, modules with a mismatch, diagnostics and notes.
Report synthetic_report();

}  // namespace corelens::gui::testing

// QTEST_MAIN with exec_reporting_skips.
#define CORELENS_QTEST_MAIN(TestObject)                                              \
  int main(int argc, char* argv[]) {                                                 \
    QApplication app(argc, argv);                                                    \
    app.setAttribute(Qt::AA_Use96Dpi, true);                                         \
    TestObject tc;                                                                   \
    QTEST_SET_MAIN_SOURCE_PATH                                                       \
    return ::corelens::gui::testing::exec_reporting_skips(&tc, argc, argv);          \
  }

// tests/support/opt_out.hpp's CORELENS_REQUIRE for QtTest: when CONDITION is false the test
// function fails, or is skipped when $CORELENS_SKIP names AREA.
#define CORELENS_QREQUIRE(area, condition, why)                                                           \
  do {                                                                                                    \
    if (!(condition)) {                                                                                   \
      const std::string corelens_why_ = (why);                                                            \
      if (::corelens::testing::opted_out(area)) QSKIP(::corelens::testing::opted_out_message(area, corelens_why_).c_str()); \
      QFAIL(::corelens::testing::required_message(area, corelens_why_).c_str());                          \
    }                                                                                                     \
  } while (false)
