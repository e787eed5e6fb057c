// MainWindow: menus and keyboard shortcuts, opening and exporting files, recent files, settings,
// drag and drop, the remembered layout; and what the panes ask of the window (the memory view at an
// address, the backtrace to copy, a name's value under the mouse in the source).
#include <QAction>
#include <QApplication>
#include <QCheckBox>
#include <QClipboard>
#include <QCloseEvent>
#include <QDockWidget>
#include <QDragEnterEvent>
#include <QDropEvent>
#include <QFile>
#include <QFileDialog>
#include <QFileInfo>
#include <QInputDialog>
#include <QMenu>
#include <QMenuBar>
#include <QMimeData>
#include <QSaveFile>
#include <QSettings>
#include <QSplitter>
#include <QStatusBar>
#include <QTableView>
#include <QTreeView>

#include "core/model/strings.hpp"
#include "core/report/crash_summary.hpp"
#include "core/report/json_report.hpp"
#include "core/report/markdown_report.hpp"
#include "gui/main_window.hpp"
#include "gui/screen_fit.hpp"

namespace corelens::gui {
namespace {

constexpr int kMaxRecent = 10;
const QString kRecentKey = QStringLiteral("recentFiles");

}  // namespace

void MainWindow::buildMenus() {
  QMenu* file = menuBar()->addMenu(tr("&File"));
  file->addAction(tr("&Open…"), QKeySequence::Open, this, &MainWindow::openDialog);
  file->addAction(tr("Open Running &Process…"), this, &MainWindow::openProcessDialog);
  recent_menu_ = file->addMenu(tr("Open &Recent"));
  connect(recent_menu_, &QMenu::aboutToShow, this, &MainWindow::fillRecentMenu);
  file->addSeparator();
  file->addAction(tr("Export as &JSON…"), this, [this] { exportDialog(QStringLiteral("json")); });
  file->addAction(tr("Export as &Markdown…"), this, [this] { exportDialog(QStringLiteral("markdown")); });
  file->addSeparator();
  file->addAction(tr("&Quit"), QKeySequence::Quit, this, &QWidget::close);

  QMenu* edit = menuBar()->addMenu(tr("&Edit"));
  edit->addAction(tr("Copy &Backtrace"), QKeySequence(Qt::CTRL | Qt::SHIFT | Qt::Key_C), this, [this] {
    QGuiApplication::clipboard()->setText(backtraceText());
    statusBar()->showMessage(tr("Backtrace copied"), 3000);
  });
  edit->addAction(tr("Copy &Crash Summary"), this, [this] {
    if (report_) QGuiApplication::clipboard()->setText(QString::fromStdString(summary_line(summarize(*report_))));
  });
  edit->addSeparator();
  edit->addAction(tr("&Find Thread"), QKeySequence::Find, this, [this] {
    threads_dock_->raise();
    thread_filter_edit_->setFocus();
    thread_filter_edit_->selectAll();
  });
  edit->addAction(tr("&Go to Address…"), QKeySequence(Qt::CTRL | Qt::Key_G), this, [this] {
    memory_dock_->raise();
    hex_view_->addressEdit()->setFocus();
    hex_view_->addressEdit()->selectAll();
  });

  QMenu* view = menuBar()->addMenu(tr("&View"));
  struct Pane {
    QString name;
    QWidget* widget;
    int key;
  };
  const Pane panes[] = {{tr("Threads"), thread_view_, Qt::Key_1},     {tr("Stack"), stack_view_, Qt::Key_2},
                        {tr("Registers"), register_view_, Qt::Key_3}, {tr("Disassembly"), disassembly_view_, Qt::Key_4},
                        {tr("Source"), source_view_, Qt::Key_5},      {tr("Memory"), hex_view_->table(), Qt::Key_6}};
  for (const Pane& p : panes) {
    QWidget* w = p.widget;
    view->addAction(tr("Go to %1").arg(p.name), QKeySequence(Qt::ALT | p.key), this, [this, w] { focusPane(w); });
  }
  view->addSeparator();
  QAction* group = view->addAction(tr("&Group Identical Stacks"));
  group->setCheckable(true);
  connect(group, &QAction::toggled, group_box_, &QCheckBox::setChecked);
  connect(group_box_, &QCheckBox::toggled, group, &QAction::setChecked);
  view->addSeparator();
  for (QDockWidget* dock : findChildren<QDockWidget*>()) view->addAction(dock->toggleViewAction());

  QMenu* settings = menuBar()->addMenu(tr("&Settings"));
  settings->addAction(tr("&Source Path Mappings…"), this, &MainWindow::editSourcePaths);
}

void MainWindow::focusPane(QWidget* pane) {
  for (QWidget* w = pane; w != nullptr; w = w->parentWidget()) {
    if (auto* dock = qobject_cast<QDockWidget*>(w)) {
      dock->show();
      dock->raise();
    }
  }
  pane->setFocus(Qt::ShortcutFocusReason);
}

void MainWindow::openDialog() {
  QString dir = QSettings().value(QStringLiteral("lastDirectory")).toString();
  QString path = QFileDialog::getOpenFileName(this, tr("Open a core dump"), dir,
                                              tr("Core dumps (*.core core core.* *.zst *.xz *.lz4);;All files (*)"));
  if (path.isEmpty()) return;
  QSettings().setValue(QStringLiteral("lastDirectory"), QFileInfo(path).absolutePath());
  openFile(path);
}

void MainWindow::addRecent(const QString& path) {
  QSettings settings;
  QStringList recent = settings.value(kRecentKey).toStringList();
  QString abs = QFileInfo(path).absoluteFilePath();
  recent.removeAll(abs);
  recent.prepend(abs);
  while (recent.size() > kMaxRecent) recent.removeLast();
  settings.setValue(kRecentKey, recent);
}

void MainWindow::fillRecentMenu() {
  recent_menu_->clear();
  const QStringList recent = QSettings().value(kRecentKey).toStringList();
  for (const QString& path : recent) {
    recent_menu_->addAction(path, this, [this, path] { openFile(path); });
  }
  if (recent.isEmpty()) recent_menu_->addAction(tr("(none)"))->setEnabled(false);
  recent_menu_->addSeparator();
  recent_menu_->addAction(tr("Clear"), this, [] { QSettings().remove(kRecentKey); });
}

bool MainWindow::exportReport(const QString& path, const QString& format) {
  if (!report_) return false;
  std::string text = format == QLatin1String("json") ? report_to_json(*report_) + "\n" : report_to_markdown(*report_);
  QSaveFile out(path);
  if (!out.open(QIODevice::WriteOnly) || out.write(text.data(), static_cast<qint64>(text.size())) < 0 || !out.commit()) {
    message_bar_->showError(tr("Cannot write %1: %2").arg(path, out.errorString()));
    return false;
  }
  statusBar()->showMessage(tr("Exported %1").arg(path), 5000);
  return true;
}

void MainWindow::exportDialog(const QString& format) {
  if (!report_) {
    statusBar()->showMessage(tr("Open a dump first"), 3000);
    return;
  }
  const bool json = format == QLatin1String("json");
  QString base = QFileInfo(QString::fromStdString(report_->dump_path)).completeBaseName();
  QString path = QFileDialog::getSaveFileName(this, json ? tr("Export as JSON") : tr("Export as Markdown"),
                                              base + (json ? QStringLiteral(".json") : QStringLiteral(".md")),
                                              json ? tr("JSON (*.json)") : tr("Markdown (*.md)"));
  if (!path.isEmpty()) exportReport(path, format);
}

void MainWindow::editSourcePaths() {
  bool ok = false;
  QString text = QInputDialog::getMultiLineText(
      this, tr("Source path mappings"),
      tr("One mapping a line, build path => local path, e.g.\n/build/project => /home/me/src/project"),
      source_view_->pathMap().toText(), &ok);
  if (!ok) return;
  SourcePathMap map = SourcePathMap::fromText(text);
  map.save();
  source_view_->setPathMap(map);
  updateFrameDetails();
}

void MainWindow::restoreLayout() {
  QSettings settings;
  restoreGeometry(settings.value(QStringLiteral("window/geometry")).toByteArray());
  restoreState(settings.value(QStringLiteral("window/state")).toByteArray());
  center_split_->restoreState(settings.value(QStringLiteral("window/centerSplit")).toByteArray());
  code_split_->restoreState(settings.value(QStringLiteral("window/codeSplit")).toByteArray());
}

// Shown: the frame (title bar, borders) is known now, and the whole of it must be on the screen.
void MainWindow::showEvent(QShowEvent* event) {
  QMainWindow::showEvent(event);
  fit_window_to_screen(this);
}

void MainWindow::closeEvent(QCloseEvent* event) {
  loader_->cancel();
  if (remember_layout_) {
    QSettings settings;
    settings.setValue(QStringLiteral("window/geometry"), saveGeometry());
    settings.setValue(QStringLiteral("window/state"), saveState());
    settings.setValue(QStringLiteral("window/centerSplit"), center_split_->saveState());
    settings.setValue(QStringLiteral("window/codeSplit"), code_split_->saveState());
  }
  event->accept();
}

void MainWindow::dragEnterEvent(QDragEnterEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (!urls.isEmpty() && urls.front().isLocalFile()) event->acceptProposedAction();
}

void MainWindow::dropEvent(QDropEvent* event) {
  const auto urls = event->mimeData()->urls();
  if (urls.isEmpty() || !urls.front().isLocalFile()) return;
  openFile(urls.front().toLocalFile());
  event->acceptProposedAction();
}

}  // namespace corelens::gui

namespace corelens::gui {

void MainWindow::showMemory(std::uint64_t address) {
  hex_view_->showAddress(address);
  memory_dock_->raise();
}

QString MainWindow::backtraceText() const {
  const StackReport* shown = shownStack();
  if (!report_ || shown == nullptr) return {};
  const StackRef stack = currentStack();
  const int digits = address_digits(report_->arch);
  if (stack.thread >= 0) {
    return QString::fromStdString(backtrace_text(report_->threads[static_cast<std::size_t>(stack.thread)], digits));
  }
  // A kernel task's own stack, titled as a thread's: its pid and name as ps shows it.
  const StackOwner owner = stack_owner(*report_, stack);
  return QString::fromStdString(
      backtrace_text(*shown, "Thread " + std::to_string(owner.id) + " \"" + printable(owner.name) + "\"", digits));
}

QString MainWindow::hoverValue(const QString& name) const {
  const int thread = currentThread();
  if (!values_ || thread < 0 || current_frame_ < 0 || thread >= static_cast<int>(report_->threads.size())) return {};
  values::FormatOptions options = values_->default_options();
  options.depth = 0;
  auto v = values_->evaluate(static_cast<std::size_t>(thread), static_cast<std::size_t>(current_frame_),
                             name.toStdString(), options);
  if (!v) return {};  // a word that is no name in scope (a keyword, a type, a macro): no tooltip
  QString value = v->unavailable.empty() ? QString::fromStdString(v->value.substr(0, 500))
                                         : QStringLiteral("<%1>").arg(QString::fromStdString(v->unavailable));
  return QStringLiteral("%1 = %2\n(%3)").arg(name, value, QString::fromStdString(v->type));
}

}  // namespace corelens::gui
