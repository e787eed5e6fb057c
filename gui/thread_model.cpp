#include "gui/thread_model.hpp"

#include <QApplication>
#include <QBrush>
#include <QFont>
#include <QStyle>
#include <map>
#include <set>

#include "core/analysis/readable_names.hpp"
#include "core/model/strings.hpp"
#include "core/report/crash_summary.hpp"
#include "gui/wait_model.hpp"

namespace corelens::gui {
namespace {

// Children of group G carry G+1 as internal id; top-level rows carry 0.
constexpr quintptr kTopLevel = 0;

// The short name ("Parser::parse"): the list is narrow; the tooltip has the whole signature.
QString top_function(const ThreadReport& t) {
  if (t.frames.empty()) return QStringLiteral("(no frames)");
  const Frame& f = t.frames.front();
  return f.function.empty() ? QStringLiteral("0x%1").arg(f.pc, 0, 16) : QString::fromStdString(short_function_name(f.function));
}

}  // namespace

ThreadModel::ThreadModel(QObject* parent) : QAbstractItemModel(parent) {}

void ThreadModel::setReport(ReportPtr report) {
  beginResetModel();
  report_ = std::move(report);
  rebuild();
  endResetModel();
}

void ThreadModel::setGrouped(bool grouped) {
  if (grouped == grouped_) return;
  beginResetModel();
  grouped_ = grouped;
  rebuild();
  endResetModel();
}

void ThreadModel::rebuild() {
  groups_.clear();
  search_.clear();
  deadlocked_.clear();
  if (!report_) return;
  deadlocked_ = deadlocked_threads(*report_);
  const auto& threads = report_->threads;
  search_.reserve(threads.size());
  for (const auto& t : threads) {
    // Unique names only: a runaway recursion has one function a million times.
    std::set<std::string> names;
    for (const auto& f : t.frames) {
      if (!f.function.empty()) names.insert(f.function);
    }
    QString s = QString::number(t.tid) + QLatin1Char(' ') + QString::fromStdString(t.name);
    if (deadlocked_.contains(t.tid)) s += QStringLiteral(" deadlock");
    for (const auto& n : names) s += QLatin1Char(' ') + QString::fromStdString(n);
    search_.push_back(s);
  }
  if (!grouped_) {
    for (std::size_t i = 0; i < threads.size(); ++i) groups_.push_back({static_cast<int>(i)});
    return;
  }
  // Identical stacks: the same pcs and the same functions, frame for frame.
  std::map<std::vector<std::uint64_t>, std::size_t> by_stack;
  for (std::size_t i = 0; i < threads.size(); ++i) {
    std::vector<std::uint64_t> key;
    key.reserve(threads[i].frames.size());
    for (const auto& f : threads[i].frames) key.push_back(f.lookup_pc);
    // The crashing thread and the deadlocked ones are never merged with others: each must stay
    // visible on its own.
    if (threads[i].crashed || deadlocked_.contains(threads[i].tid)) key.push_back(~std::uint64_t{0} - i);
    auto [it, inserted] = by_stack.emplace(std::move(key), groups_.size());
    if (inserted) groups_.push_back({});
    groups_[it->second].push_back(static_cast<int>(i));
  }
}

QModelIndex ThreadModel::index(int row, int column, const QModelIndex& parent) const {
  if (row < 0 || column < 0 || column >= ColCount) return {};
  if (!parent.isValid()) {
    if (row >= static_cast<int>(groups_.size())) return {};
    return createIndex(row, column, kTopLevel);
  }
  if (parent.internalId() != kTopLevel || parent.column() != 0) return {};
  const auto& g = groups_[static_cast<std::size_t>(parent.row())];
  if (g.size() < 2 || row >= static_cast<int>(g.size())) return {};
  return createIndex(row, column, static_cast<quintptr>(parent.row()) + 1);
}

QModelIndex ThreadModel::parent(const QModelIndex& child) const {
  if (!child.isValid() || child.internalId() == kTopLevel) return {};
  return createIndex(static_cast<int>(child.internalId() - 1), 0, kTopLevel);
}

int ThreadModel::rowCount(const QModelIndex& parent) const {
  if (!parent.isValid()) return static_cast<int>(groups_.size());
  if (parent.internalId() != kTopLevel || parent.column() != 0) return 0;
  const auto& g = groups_[static_cast<std::size_t>(parent.row())];
  return g.size() < 2 ? 0 : static_cast<int>(g.size());
}

int ThreadModel::columnCount(const QModelIndex&) const { return ColCount; }

QModelIndex ThreadModel::indexForThread(int thread, int column) const {
  for (std::size_t g = 0; g < groups_.size(); ++g) {
    for (std::size_t k = 0; k < groups_[g].size(); ++k) {
      if (groups_[g][k] != thread) continue;
      QModelIndex top = index(static_cast<int>(g), column);
      return groups_[g].size() < 2 ? top : index(static_cast<int>(k), column, index(static_cast<int>(g), 0));
    }
  }
  return {};
}

QVariant ThreadModel::data(const QModelIndex& idx, int role) const {
  if (!checkIndex(idx, CheckIndexOption::IndexIsValid) || !report_) return {};
  if (idx.internalId() != kTopLevel) {
    const auto& g = groups_[idx.internalId() - 1];
    return threadData(g[static_cast<std::size_t>(idx.row())], idx.column(), role);
  }
  const auto& g = groups_[static_cast<std::size_t>(idx.row())];
  if (g.size() == 1) return threadData(g.front(), idx.column(), role);
  return groupData(idx.row(), idx.column(), role);
}

QVariant ThreadModel::threadData(int thread, int column, int role) const {
  const ThreadReport& t = report_->threads[static_cast<std::size_t>(thread)];
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case ColThread: return QString::number(t.tid);
        case ColName: return QString::fromStdString(printable(t.name));
        case ColTop: return top_function(t);
        case ColDepth: return static_cast<qulonglong>(t.frames.size());
      }
      return {};
    case SortRole:
      if (column == ColThread) return t.tid;
      if (column == ColDepth) return static_cast<qulonglong>(t.frames.size());
      return threadData(thread, column, Qt::DisplayRole);
    case Qt::DecorationRole:
      if (column == ColThread && t.crashed) return QApplication::style()->standardIcon(QStyle::SP_MessageBoxCritical);
      // A thread of a deadlock (issue 15): marked as the crash would be.
      if (column == ColThread && deadlocked_.contains(t.tid)) {
        return QApplication::style()->standardIcon(QStyle::SP_MessageBoxWarning);
      }
      return {};
    case Qt::ForegroundRole:
      if (t.crashed || deadlocked_.contains(t.tid)) return QBrush(QColor(0xb0, 0x00, 0x20));
      return {};
    case Qt::FontRole:
      if (t.crashed || deadlocked_.contains(t.tid)) {
        QFont f;
        f.setBold(true);
        return f;
      }
      return {};
    case Qt::ToolTipRole: {
      QString tip = QStringLiteral("Thread %1").arg(t.tid);
      if (t.crashed) tip += QStringLiteral(" — received the fatal signal");
      if (!t.frames.empty() && !t.frames.front().function.empty()) {
        tip += QStringLiteral("\nin ") + QString::fromStdString(t.frames.front().function);
      }
      if (deadlocked_.contains(t.tid)) tip += QLatin1Char('\n') + deadlock_text(*report_, t.tid);
      if (!t.unwind.complete()) tip += QStringLiteral("\nstack incomplete: ") + QString::fromStdString(describe(t.unwind));
      return tip;
    }
    case ThreadIndexRole: return thread;
    case HighlightRole: return t.crashed;
    case SearchTextRole: return search_[static_cast<std::size_t>(thread)];
  }
  return {};
}

QVariant ThreadModel::groupData(int group, int column, int role) const {
  const auto& g = groups_[static_cast<std::size_t>(group)];
  const ThreadReport& first = report_->threads[static_cast<std::size_t>(g.front())];
  switch (role) {
    case Qt::DisplayRole:
      switch (column) {
        case ColThread: return QStringLiteral("%1 threads").arg(g.size());
        case ColName: {
          for (int i : g) {
            if (report_->threads[static_cast<std::size_t>(i)].name != first.name) return QStringLiteral("(various)");
          }
          return QString::fromStdString(printable(first.name));
        }
        case ColTop: return top_function(first);
        case ColDepth: return static_cast<qulonglong>(first.frames.size());
      }
      return {};
    case SortRole:
      if (column == ColThread) return first.tid;
      if (column == ColDepth) return static_cast<qulonglong>(first.frames.size());
      return groupData(group, column, Qt::DisplayRole);
    case Qt::ToolTipRole:
      return QStringLiteral("%1 threads with identical stacks in %2").arg(g.size()).arg(top_function(first));
    case ThreadIndexRole: return g.front();
    case HighlightRole: return false;
    case SearchTextRole: {
      QString s;
      for (int i : g) s += search_[static_cast<std::size_t>(i)] + QLatin1Char(' ');
      return s;
    }
  }
  return {};
}

QVariant ThreadModel::headerData(int section, Qt::Orientation orientation, int role) const {
  if (orientation != Qt::Horizontal || role != Qt::DisplayRole) return {};
  switch (section) {
    case ColThread: return tr("Thread");
    case ColName: return tr("Name");
    case ColTop: return tr("Top function");
    case ColDepth: return tr("Depth");
  }
  return {};
}

ThreadFilterModel::ThreadFilterModel(QObject* parent) : QSortFilterProxyModel(parent) {
  setFilterCaseSensitivity(Qt::CaseInsensitive);
  setRecursiveFilteringEnabled(true);
  setSortRole(SortRole);
}

bool ThreadFilterModel::filterAcceptsRow(int row, const QModelIndex& parent) const {
  QModelIndex idx = sourceModel()->index(row, 0, parent);
  return sourceModel()->data(idx, SearchTextRole).toString().contains(filterRegularExpression());
}

}  // namespace corelens::gui
