// Helpers shared by the GUI tests: where the sample cores are, and the marker lines of the
// samples' sources (as tests/integration/samples.hpp does, without GoogleTest).
#pragma once

#include <QString>

#include "core/model/report.hpp"

namespace corelens::gui::testing {

QString core_path(const QString& method, const QString& sample);
// Line number of the line containing MARKER in samples/SOURCE (0 when absent); "CALL-SITE f"
// does not match "CALL-SITE f3".
int marker_line(const QString& source, const QString& marker);
// A small Report built by hand: three threads with identical stacks, one crashed thread, a heap,
// mappings, modules with a mismatch, diagnostics and notes.
Report synthetic_report();

}  // namespace corelens::gui::testing
