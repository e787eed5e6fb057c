// A kernel dump's tasks (Report::kernel->tasks) as a table, as ps lists them: pid, tgid, state,
// CPU, command, and where each waits. Selecting one shows its stack (task_stack_ref: its own, or
// its CPU's while it ran at the crash) in the stack view, as a thread's is shown.
#pragma once

#include <QAbstractTableModel>

#include "gui/table_models.hpp"

namespace corelens::gui {

class TaskModel final : public ReportTableModel {
  Q_OBJECT
 public:
  enum Column { ColPid, ColTgid, ColState, ColCpu, ColCommand, ColWaiting, ColCount };
  using ReportTableModel::ReportTableModel;

 protected:
  std::size_t rows() const override;
  QStringList headers() const override;
  // TaskIndexRole: the row's index into Report::kernel->tasks.
  QVariant cell(int row, int column, int role) const override;
};

}  // namespace corelens::gui
