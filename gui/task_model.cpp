#include "gui/task_model.hpp"

#include <QBrush>

#include "core/model/strings.hpp"

namespace corelens::gui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(printable(s)); }

std::string task_thread_name(const KernelTaskReport& t) { return t.kernel_thread ? "[" + t.comm + "]" : t.comm; }

const char* state_words(char state) {
  switch (state) {
    case 'R': return "running or runnable";
    case 'S': return "sleeping (interruptible)";
    case 'D': return "waiting (uninterruptible)";
    case 'T': return "stopped";
    case 't': return "traced";
    case 'X': return "dead";
    case 'Z': return "zombie";
    case 'P': return "parked";
    case 'I': return "idle kernel thread";
    default: return "unknown";
  }
}

}  // namespace

std::size_t TaskModel::rows() const { return report_->kernel ? report_->kernel->tasks.size() : 0; }

QStringList TaskModel::headers() const {
  return {tr("PID"), tr("TGID"), tr("St"), tr("CPU"), tr("Command"), tr("Waiting in")};
}

QVariant TaskModel::cell(int row, int column, int role) const {
  const KernelTaskReport& t = report_->kernel->tasks[static_cast<std::size_t>(row)];
  // ps shows kernel threads in brackets.
  auto command = [&] { return t.kernel_thread ? QStringLiteral("[%1]").arg(qs(t.comm)) : qs(t.comm); };
  auto waiting = [&] {
    if (t.running_on) return tr("running on CPU %1").arg(*t.running_on);
    return t.wchan.empty() ? QStringLiteral("?") : qs(t.wchan);
  };
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case ColPid: return t.pid;
        case ColTgid: return t.tgid;
        case ColState: return QString(QChar::fromLatin1(t.state));
        case ColCpu: return t.cpu ? QVariant(*t.cpu) : QVariant(QStringLiteral("-"));
        case ColCommand: return command();
        case ColWaiting: return waiting();
        default: return {};
      }
    case SortRole:
      switch (column) {
        case ColPid: return t.pid;
        case ColTgid: return t.tgid;
        case ColCpu: return t.cpu ? static_cast<int>(*t.cpu) : -1;
        case ColState: return QString(QChar::fromLatin1(t.state));
        case ColCommand: return qs(t.comm);
        case ColWaiting: return waiting();
        default: return {};
      }
    case SearchTextRole: {
      // pid, command, and every function on its stack, as the threads' filter matches.
      QString s = QString::number(t.pid) + QLatin1Char(' ') + qs(t.comm);
      for (const auto& f : t.frames) s += QLatin1Char(' ') + qs(f.function);
      return s;
    }
    case Qt::ToolTipRole:
      if (column == ColState) return QString::fromLatin1(state_words(t.state));
      if (column == ColWaiting && !t.running_on && !t.unwind.complete()) return tr("stack incomplete: %1").arg(qs(describe(t.unwind)));
      return {};
    case Qt::ForegroundRole:
      if (column == ColWaiting && !t.running_on && !t.unwind.complete()) return QBrush(QColor(0xa0, 0x60, 0x00));
      return {};
    case HighlightRole: return report_->kernel->panic_pid && t.running_on && *report_->kernel->panic_pid == t.pid;
    case ThreadIndexRole: return task_stack_thread(*report_, static_cast<std::size_t>(row));
    default: return {};
  }
}

ReportPtr with_task_stacks(ReportPtr report) {
  if (!report || !report->kernel || report->kernel->tasks.empty()) return report;
  auto out = std::make_shared<Report>(*report);
  for (const auto& t : report->kernel->tasks) {
    ThreadReport th;
    th.tid = t.pid;
    th.name = task_thread_name(t);
    th.frames = t.frames;
    // Where __switch_to_asm() left it: its saved pc and stack pointer.
    if (!t.frames.empty()) {
      const Frame& f = t.frames.front();
      th.registers = f.registers;
      if (th.registers.empty()) th.registers.push_back(Register{"rip", f.pc});
      if (f.sp && f.registers.empty()) th.registers.push_back(Register{"rsp", *f.sp});
    }
    th.unwind = t.unwind;
    if (t.running_on) th.unwind.detail = "running on CPU " + std::to_string(*t.running_on);
    th.unwinder = t.method;
    out->threads.push_back(std::move(th));
  }
  return out;
}

int task_stack_thread(const Report& report, std::size_t task) {
  if (!report.kernel || task >= report.kernel->tasks.size()) return -1;
  const KernelTaskReport& t = report.kernel->tasks[task];
  const std::size_t cpus = report.kernel->cpus.size();
  if (t.running_on) {
    for (std::size_t i = 0; i < report.threads.size() && i < cpus; ++i) {
      if (report.threads[i].cpu == t.running_on) return static_cast<int>(i);
    }
    return -1;
  }
  // REPORT may be the original or with_task_stacks' copy: the tasks come after the CPUs' threads.
  return static_cast<int>(cpus + task);
}

QString frame_found_by(const Report& report, int thread, std::size_t frame) {
  if (thread < 0 || static_cast<std::size_t>(thread) >= report.threads.size()) return {};
  const auto& frames = report.threads[static_cast<std::size_t>(thread)].frames;
  if (frame >= frames.size()) return {};
  // A kernel frame says which table found it; a user frame, how far to trust it.
  return QString::fromLatin1(report.kernel ? found_by_label(frames[frame]) : trust_label(frames[frame]));
}

}  // namespace corelens::gui
