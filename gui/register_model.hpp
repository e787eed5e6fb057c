// Registers of one frame. Frame 0 (and the inlined frames above it): every register of the
// thread. Callers: the registers the unwinder recovered for that frame; the rest of the thread's
// register names are listed as unknown, never with frame 0's values. Values that point into a
// mapping say where ("libc.so.6+0x27249", "stack of thread 12", "heap").
#pragma once

#include <QAbstractTableModel>
#include <memory>
#include <vector>

#include "core/report/address_annotator.hpp"
#include "gui/roles.hpp"
#include "gui/stack_ref.hpp"

namespace corelens::gui {

class RegisterModel : public QAbstractTableModel {
  Q_OBJECT
 public:
  enum Column { ColName, ColValue, ColPointsTo, ColCount };
  explicit RegisterModel(QObject* parent = nullptr);

  // ANNOTATOR may be null (no annotations); it must outlive the next setFrame/clear.
  // The registers of frame FRAME of REPORT's stack STACK (a thread's or a kernel task's).
  void setFrame(ReportPtr report, StackRef stack, int frame, std::shared_ptr<const AddressAnnotator> annotator);
  void clear();

  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 private:
  struct Row {
    QString name;
    std::optional<std::uint64_t> value;
    QString points_to;
  };
  std::vector<Row> rows_;
  ReportPtr report_;
};

}  // namespace corelens::gui
