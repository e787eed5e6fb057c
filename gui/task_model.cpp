#include "gui/task_model.hpp"

#include <QBrush>

#include "core/model/strings.hpp"

namespace corelens::gui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(printable(s)); }

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
    case TaskIndexRole: return row;
    default: return {};
  }
}

}  // namespace corelens::gui
