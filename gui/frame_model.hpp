// The stack of one thread: frame number, pc, function, file:line, module+offset, trust.
#pragma once

#include <QAbstractTableModel>

#include "gui/roles.hpp"

namespace corelens::gui {

class FrameModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColIndex, ColAddress, ColFunction, ColLocation, ColModule, ColTrust, ColCount };
  explicit FrameModel(QObject* parent = nullptr);

  // THREAD indexes report->threads; -1 (or no report) shows nothing.
  void setThread(ReportPtr report, int thread);
  int thread() const { return thread_; }
  // The frame shown with the strongest emphasis (the one the crash is about); -1 for none.
  void setHighlightedFrame(int frame);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  const ThreadReport* current() const;
  ReportPtr report_;
  int thread_ = -1;
  int highlighted_ = -1;
};

}  // namespace corelens::gui
