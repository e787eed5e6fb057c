#include "gui/wait_model.hpp"

#include <QBrush>
#include <QFont>

#include "core/model/strings.hpp"

namespace corelens::gui {
namespace {

QString qs(const std::string& s) { return QString::fromStdString(printable(s)); }
const QColor kRed(0xb0, 0x00, 0x20);

int thread_index(const Report& r, int tid) {
  for (std::size_t i = 0; i < r.threads.size(); ++i) {
    if (r.threads[i].tid == tid) return static_cast<int>(i);
  }
  return -1;
}

}  // namespace

QSet<int> deadlocked_threads(const Report& r) {
  QSet<int> out;
  if (!r.analysis) return out;
  for (const auto& d : r.analysis->deadlocks) {
    for (auto tid : d.threads) out.insert(tid);
  }
  return out;
}

QString deadlock_text(const Report& r, int tid) {
  if (!r.analysis) return {};
  for (const auto& d : r.analysis->deadlocks) {
    for (auto t : d.threads) {
      if (t == tid) return qs("deadlock: " + d.description);
    }
  }
  return {};
}

std::size_t WaitModel::rows() const { return report_->analysis ? report_->analysis->waits.size() : 0; }

QStringList WaitModel::headers() const {
  return {tr("Thread"), tr("Waits in"), tr("Kind"), tr("Object"), tr("Address"), tr("Held by"), tr("What")};
}

QVariant WaitModel::cell(int row, int column, int role) const {
  const ThreadWait& w = report_->analysis->waits[static_cast<std::size_t>(row)];
  const bool deadlocked = !deadlock_text(*report_, w.tid).isEmpty();
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case ColThread: return w.tid;
        case ColWaitsIn: return qs(w.function);
        case ColKind: return qs(w.kind);
        case ColObject: return qs(w.object_name);
        case ColAddress: return w.object_address ? qs(hex_padded(*w.object_address, address_digits(report_->arch))) : QString();
        case ColHeldBy:
          if (!w.owner_tid) return QString();
          if (w.kind == "join") return tr("thread %1 (joined)").arg(*w.owner_tid);
          if (w.owner_source == "stack-reference") return tr("thread %1 (reader, inferred)").arg(*w.owner_tid);
          return tr("thread %1").arg(*w.owner_tid);
        case ColDescription: return qs(w.description);
      }
      return {};
    case SortRole:
      if (column == ColThread) return w.tid;
      if (column == ColAddress) return static_cast<qulonglong>(w.object_address.value_or(0));
      if (column == ColHeldBy) return w.owner_tid.value_or(0);
      return cell(row, column, Qt::DisplayRole);
    case Qt::ForegroundRole:
      return deadlocked ? QVariant(QBrush(kRed)) : QVariant();
    case Qt::FontRole:
      if (deadlocked) {
        QFont f;
        f.setBold(true);
        return f;
      }
      return {};
    case Qt::ToolTipRole:
      return deadlocked ? deadlock_text(*report_, w.tid) : qs(w.description);
    case ThreadIndexRole:
      return thread_index(*report_, column == ColHeldBy && w.owner_tid ? *w.owner_tid : w.tid);
    case AddressRole:
      return static_cast<qulonglong>(w.object_address.value_or(0));
    case HighlightRole:
      return deadlocked;
    case SearchTextRole:
      return QStringLiteral("%1 %2 %3 %4").arg(w.tid).arg(qs(w.function), qs(w.object_name), qs(w.description));
  }
  return {};
}

}  // namespace corelens::gui
