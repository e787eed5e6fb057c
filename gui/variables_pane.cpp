#include "gui/variables_pane.hpp"

#include <QCheckBox>
#include <QHBoxLayout>
#include <QHeaderView>
#include <QKeyEvent>
#include <QLabel>
#include <QLineEdit>
#include <QTreeView>
#include <QVBoxLayout>

namespace corelens::gui {

VariablesPane::VariablesPane(QWidget* parent) : QWidget(parent), model_(new VariableModel(this)) {
  auto* layout = new QVBoxLayout(this);
  layout->setContentsMargins(2, 2, 2, 2);
  watch_ = new QLineEdit(this);
  watch_->setObjectName(QStringLiteral("watchLine"));
  watch_->setPlaceholderText(tr("Watch an expression (r->next, *head, items[3], (long)x), Enter to add"));
  watch_->setClearButtonEnabled(true);
  message_ = new QLabel(this);
  message_->setWordWrap(true);
  message_->hide();
  view_ = new QTreeView(this);
  view_->setObjectName(QStringLiteral("variableView"));
  view_->setModel(model_);
  view_->setUniformRowHeights(true);
  view_->setAlternatingRowColors(true);
  view_->setToolTip(tr("Expand a value to read its members from the dump; double-click it to show its memory; "
                       "Delete removes a watch"));
  view_->header()->setStretchLastSection(true);
  view_->installEventFilter(this);
  auto* top = new QHBoxLayout;
  top->addWidget(watch_, 1);
  auto* raw = new QCheckBox(tr("Raw"), this);
  raw->setObjectName(QStringLiteral("rawValues"));
  raw->setToolTip(tr("Show values as their types lay them out, without the printers that show a std::vector "
                     "or a Rust Vec as its elements"));
  top->addWidget(raw);
  layout->addLayout(top);
  connect(raw, &QCheckBox::toggled, model_, &VariableModel::setRaw);
  layout->addWidget(message_);
  layout->addWidget(view_, 1);
  connect(watch_, &QLineEdit::returnPressed, this, &VariablesPane::addWatch);
  connect(view_, &QTreeView::doubleClicked, this, [this](const QModelIndex& idx) {
    if (idx.data(KnownRole).toBool()) emit memoryRequested(idx.data(AddressRole).toULongLong());
  });
  // After the reset is over for every listener (the expansion may read children).
  connect(
      model_, &QAbstractItemModel::modelReset, this,
      [this] {
        view_->expandToDepth(0);
        view_->resizeColumnToContents(VariableModel::ColName);
        showMessage();
      },
      Qt::QueuedConnection);
}

void VariablesPane::setFrame(std::shared_ptr<values::ValueEngine> engine, std::shared_ptr<const AddressAnnotator> annotator,
                             int thread, int frame) {
  model_->setFrame(std::move(engine), std::move(annotator), thread, frame);
}

void VariablesPane::clear() { model_->clear(); }

void VariablesPane::addWatch() {
  QString expr = watch_->text().trimmed();
  if (expr.isEmpty()) return;
  QStringList w = model_->watches();
  if (!w.contains(expr)) w.append(expr);
  model_->setWatches(w);
  watch_->clear();
}

bool VariablesPane::eventFilter(QObject* watched, QEvent* event) {
  // Delete on a watch removes it.
  if (watched == view_ && event->type() == QEvent::KeyPress &&
      static_cast<QKeyEvent*>(event)->key() == Qt::Key_Delete) {
    int w = model_->watchAt(view_->currentIndex());
    if (w >= 0) {
      QStringList list = model_->watches();
      list.removeAt(w);
      model_->setWatches(list);
      return true;
    }
  }
  return QWidget::eventFilter(watched, event);
}

void VariablesPane::showMessage() {
  message_->setText(model_->message());
  message_->setVisible(!model_->message().isEmpty());
}

}  // namespace corelens::gui
