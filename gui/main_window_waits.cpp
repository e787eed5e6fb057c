// MainWindow: the Waits pane (what each thread waits for and who holds it, deadlocks in red) and
// opening a running process (File > Open Running Process, corelens-gui --pid).
#include <QDockWidget>
#include <QHeaderView>
#include <QInputDialog>
#include <QLineEdit>
#include <QSortFilterProxyModel>
#include <QTableView>
#include <QVBoxLayout>

#include "gui/main_window.hpp"

namespace corelens::gui {

void MainWindow::buildWaitsDock() {
  auto* waits = new QWidget(this);
  auto* layout = new QVBoxLayout(waits);
  layout->setContentsMargins(2, 2, 2, 2);
  auto* filter = new QLineEdit(waits);
  filter->setPlaceholderText(tr("Filter: thread, call, object or owner"));
  filter->setClearButtonEnabled(true);
  auto* proxy = new QSortFilterProxyModel(this);
  proxy->setSourceModel(wait_model_);
  proxy->setSortRole(SortRole);
  proxy->setFilterRole(SearchTextRole);
  proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
  wait_view_ = new QTableView(waits);
  wait_view_->setObjectName(QStringLiteral("waitView"));
  wait_view_->setModel(proxy);
  wait_view_->setSortingEnabled(true);
  wait_view_->setSelectionBehavior(QAbstractItemView::SelectRows);
  wait_view_->setSelectionMode(QAbstractItemView::SingleSelection);
  wait_view_->verticalHeader()->hide();
  wait_view_->horizontalHeader()->setStretchLastSection(true);
  wait_view_->setToolTip(tr("Double-click a thread to show its stack; its \"Held by\" cell, the owner's"));
  layout->addWidget(filter);
  layout->addWidget(wait_view_, 1);
  waits_dock_ = addDock(tr("Waits"), QStringLiteral("waitsDock"), waits, Qt::BottomDockWidgetArea);
  if (auto* map_dock = findChild<QDockWidget*>(QStringLiteral("mapDock"))) {
    tabifyDockWidget(map_dock, waits_dock_);
    map_dock->raise();
  }
  connect(filter, &QLineEdit::textChanged, proxy, &QSortFilterProxyModel::setFilterFixedString);
  connect(wait_view_, &QTableView::doubleClicked, this, [this](const QModelIndex& idx) {
    int thread = idx.data(ThreadIndexRole).toInt();
    if (thread >= 0) selectThread(thread);
  });
}

void MainWindow::showWaits() {
  wait_model_->setReport(report_);
  const bool user_core = report_ && !report_->kernel;
  waits_dock_->toggleViewAction()->setEnabled(user_core);
  if (!user_core) {
    waits_dock_->hide();
    return;
  }
  waits_dock_->show();
  wait_view_->resizeColumnsToContents();
  // A deadlock is what the window is about: its pane comes to the front.
  if (report_->analysis && !report_->analysis->deadlocks.empty()) waits_dock_->raise();
}

void MainWindow::openProcess(int pid) {
  message_bar_->hide();
  loader_->loadProcess(pid, options_);
}

void MainWindow::openProcessDialog() {
  bool ok = false;
  int pid = QInputDialog::getInt(this, tr("Open Running Process"),
                                 tr("Process id. Its threads are stopped while they are read (milliseconds), "
                                    "then it runs on; no core is written."),
                                 1, 1, 0x3fffffff, 1, &ok);
  if (ok) openProcess(pid);
}

}  // namespace corelens::gui
