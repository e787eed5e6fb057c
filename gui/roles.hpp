// Item data roles shared by the models and the views over them.
#pragma once

#include <Qt>
#include <memory>

#include "core/model/report.hpp"

namespace corelens::gui {

// The Report a model presents; the models share it (and, through an aliasing shared_ptr, the
// Session that owns it), so a model never outlives the data it shows.
using ReportPtr = std::shared_ptr<const corelens::Report>;

enum Role : int {
  SortRole = Qt::UserRole + 1,  // a number or string that sorts the column naturally
  AddressRole,                  // quint64 address the row or cell is about
  ThreadIndexRole,              // int index into Report::threads
  FrameIndexRole,               // int index into the shown stack's frames
  HighlightRole,                // bool: the row is the one the user must see (crash, current line)
  SearchTextRole,               // QString matched by the filter boxes
  KnownRole,                    // bool: the value is known (registers a caller frame did not recover)
  TaskIndexRole,                // int index into Report::kernel->tasks
};

}  // namespace corelens::gui
