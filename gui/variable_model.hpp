// The Variables pane's model: the selected frame's arguments and locals, and the watch
// expressions evaluated there, as a tree (name, type, value, what a pointer points into).
// Children are read from the dump only when a row's children are first asked for (a view asks
// when the row is expanded): a struct's members, an array's elements, a pointer's target, a
// container's elements. They are read inside rowCount()/index() rather than announced with
// fetchMore(): to the views the rows were always there, only not yet looked at.
// Unavailable values are greyed, with the reason as their tooltip.
//
// Ownership: shares the values engine and the annotator with the window; the engine's Session
// outlives both (the window holds it).
#pragma once

#include <QAbstractItemModel>
#include <QStringList>
#include <memory>
#include <vector>

#include "core/report/address_annotator.hpp"
#include "gui/roles.hpp"
#include "unwinder/values/engine.hpp"

namespace corelens::gui {

class VariableModel : public QAbstractItemModel {
  Q_OBJECT
 public:
  enum Column { ColName, ColValue, ColType, ColPointsTo, ColCount };
  explicit VariableModel(QObject* parent = nullptr);
  ~VariableModel() override;

  // Shows frame FRAME of Report::threads[THREAD] through ENGINE (null: nothing to show).
  void setFrame(std::shared_ptr<values::ValueEngine> engine, std::shared_ptr<const AddressAnnotator> annotator,
                int thread, int frame);
  void clear();
  // Watch expressions, evaluated in the frame shown (and in every frame shown after).
  void setWatches(const QStringList& expressions);
  QStringList watches() const { return watches_; }
  // The position in watches() of the watch shown at INDEX; -1 when INDEX is no watch.
  int watchAt(const QModelIndex& index) const;
  // Values as their types lay them out, without printers (gdb's print/r).
  void setRaw(bool raw);
  bool raw() const { return raw_; }
  // Why there is nothing to show ("no debug information for this frame"), or empty.
  QString message() const { return message_; }

  QModelIndex index(int row, int column, const QModelIndex& parent = {}) const override;
  QModelIndex parent(const QModelIndex& child) const override;
  int rowCount(const QModelIndex& parent = {}) const override;
  int columnCount(const QModelIndex& parent = {}) const override;
  bool hasChildren(const QModelIndex& parent = {}) const override;
  QVariant data(const QModelIndex& index, int role = Qt::DisplayRole) const override;
  QVariant headerData(int section, Qt::Orientation orientation, int role = Qt::DisplayRole) const override;

 public:
  struct Item;  // a row: a group, or a value and the children read for it (variable_model.cpp)

 private:
  Item* item(const QModelIndex& index) const;
  void rebuild();
  // Reads the children of IT from the dump when they were not read yet.
  void load_children(Item* it) const;

  std::shared_ptr<values::ValueEngine> engine_;
  std::shared_ptr<const AddressAnnotator> annotator_;
  int thread_ = -1, frame_ = -1;
  QStringList watches_;
  bool raw_ = false;
  QString message_;
  std::unique_ptr<Item> root_;
};

}  // namespace corelens::gui
