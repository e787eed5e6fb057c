// The stack of one thread or kernel task: frame number, pc, function, file:line, module+offset,
// trust (for a kernel frame: the table that found it).
#pragma once

#include <QAbstractTableModel>

#include "gui/roles.hpp"
#include "gui/stack_ref.hpp"

namespace corelens::gui {

class FrameModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColIndex, ColAddress, ColFunction, ColLocation, ColModule, ColTrust, ColCount };
  explicit FrameModel(QObject* parent = nullptr);

  // The frames of REPORT's stack STACK (a thread's or a kernel task's); a StackRef that names no
  // stack (or no report) shows nothing.
  void setStack(ReportPtr report, StackRef stack);
  StackRef stack() const { return stack_; }
  // The stack shown, where the Report keeps it; null when none is.
  const StackReport* shown() const { return shown_; }
  // The frame shown with the strongest emphasis (the one the crash is about); -1 for none.
  void setHighlightedFrame(int frame);

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  ReportPtr report_;
  StackRef stack_;
  const StackReport* shown_ = nullptr;
  int highlighted_ = -1;
};

}  // namespace corelens::gui
