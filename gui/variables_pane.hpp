// The Variables pane: the selected frame's arguments and locals as a tree that reads members,
// elements and pointer targets from the dump when it is expanded, and a watch line whose
// expressions are evaluated in every frame selected. Double-clicking a value opens the memory
// view where it lives.
#pragma once

#include <QWidget>
#include <memory>

#include "gui/variable_model.hpp"

class QLabel;
class QLineEdit;
class QTreeView;

namespace corelens::gui {

class VariablesPane : public QWidget {
  Q_OBJECT
 public:
  explicit VariablesPane(QWidget* parent = nullptr);

  void setFrame(std::shared_ptr<values::ValueEngine> engine, std::shared_ptr<const AddressAnnotator> annotator,
                int thread, int frame);
  void clear();

  VariableModel* model() const { return model_; }
  QTreeView* view() const { return view_; }
  QLineEdit* watchLine() const { return watch_; }

 signals:
  void memoryRequested(quint64 address);

 protected:
  bool eventFilter(QObject* watched, QEvent* event) override;

 private:
  void addWatch();
  void showMessage();

  VariableModel* model_;
  QTreeView* view_;
  QLineEdit* watch_;
  QLabel* message_;
};

}  // namespace corelens::gui
