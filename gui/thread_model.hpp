// Threads of a Report as a tree: flat (one row per thread), or grouped by identical stacks, where
// a group of several threads is one row ("37 threads", top function "epoll_wait") with the
// threads as its children. Threads keep the Report's order: the crashing one first.
#pragma once

#include <QAbstractItemModel>
#include <QSet>
#include <QSortFilterProxyModel>
#include <vector>

#include "gui/roles.hpp"

namespace corelens::gui {

class ThreadModel : public QAbstractItemModel {
  Q_OBJECT
 public:
  enum Column { ColThread, ColName, ColTop, ColDepth, ColCount };
  explicit ThreadModel(QObject* parent = nullptr);

  void setReport(ReportPtr report);
  void setGrouped(bool grouped);
  bool grouped() const { return grouped_; }
  // The index of the row showing thread THREAD (a child row when it is in a group).
  QModelIndex indexForThread(int thread, int column = 0) const;

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  void rebuild();
  QVariant threadData(int thread, int column, int role) const;
  QVariant groupData(int group, int column, int role) const;

  ReportPtr report_;
  bool grouped_ = false;
  std::vector<std::vector<int>> groups_;  // each: indices of threads with identical stacks
  std::vector<QString> search_;           // per thread: tid, name and every function on its stack
  QSet<int> deadlocked_;                  // tids of the threads in a deadlock
};

// Filters threads by tid, name or any function on their stack; a group stays when one of its
// threads matches. Case-insensitive.
class ThreadFilterModel : public QSortFilterProxyModel {
  Q_OBJECT
 public:
  explicit ThreadFilterModel(QObject* parent = nullptr);

 protected:
  bool filterAcceptsRow(int row, const QModelIndex& parent) const override;
};

}  // namespace corelens::gui
