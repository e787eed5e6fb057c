// The Waits view: one row per thread blocked in a call, what it waits for and who holds it
// (Report analysis.waits); the threads of a deadlock in red, with the cycle in their tooltip.
// Double-clicking a row shows that thread's stack; the "Held by" column's thread is one click
// further.
#pragma once

#include <QSet>

#include "gui/table_models.hpp"

namespace corelens::gui {

class WaitModel final : public ReportTableModel {
  Q_OBJECT
 public:
  enum Column { ColThread, ColWaitsIn, ColKind, ColObject, ColAddress, ColHeldBy, ColDescription, ColCount };
  using ReportTableModel::ReportTableModel;

 protected:
  std::size_t rows() const override;
  QStringList headers() const override;
  QVariant cell(int row, int column, int role) const override;
};

// The tids of the threads in a deadlock of REPORT (empty without analysis).
QSet<int> deadlocked_threads(const corelens::Report& report);
// The deadlock thread TID is in, in words; empty when it is in none.
QString deadlock_text(const corelens::Report& report, int tid);

}  // namespace corelens::gui
