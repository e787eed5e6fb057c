// A kernel dump's tasks (Report::kernel->tasks) as a table, as ps lists them: pid, tgid, state,
// CPU, command, and where each waits. A task's stack is shown in the stack view as a thread's is:
// the window shows stacks of with_task_stacks(report), where the switched-out tasks follow the
// CPUs as threads, and a running task's stack is its CPU's.
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
  // ThreadIndexRole: the thread of with_task_stacks(report) holding the task's stack.
  QVariant cell(int row, int column, int role) const override;
};

// REPORT with one more ThreadReport per task of a kernel dump after its CPUs (tid: the pid, name:
// the command, "[kthreadd]" for a kernel thread), for the stack and register views. REPORT itself when it has no tasks. The
// copies share nothing with REPORT but hold the same values.
ReportPtr with_task_stacks(ReportPtr report);
// The index in with_task_stacks(REPORT)->threads of task TASK's stack: the CPU's thread for a task
// running at the crash, else its own. -1 when there is none.
int task_stack_thread(const Report& report, std::size_t task);
// How frame FRAME of THREAD was found, in the words the text report uses: a kernel frame's table
// ("orc", "dwarf-cfi", "prologue", "scan"), else the frame's trust ("cfi", "frame-pointer" ...).
QString frame_found_by(const Report& report, int thread, std::size_t frame);

}  // namespace corelens::gui
