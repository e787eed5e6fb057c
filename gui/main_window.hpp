// The main window: the crash banner on top, the stack of the selected thread with the source and
// disassembly of the selected frame in the middle, threads and registers on the left, and the
// memory map, modules, memory and diagnostics below. Docks and splitters are remembered.
//
// It holds the Session of the open dump (shared with its models through aliasing pointers) and
// swaps every model in whole when another dump is opened.
#pragma once

#include <QMainWindow>
#include <QPointer>
#include <memory>

#include "core/report/address_annotator.hpp"
#include "gui/code_models.hpp"
#include "gui/frame_model.hpp"
#include "gui/register_model.hpp"
#include "gui/session_loader.hpp"
#include "gui/source_view.hpp"
#include "gui/stack_ref.hpp"
#include "gui/table_models.hpp"
#include "gui/task_model.hpp"
#include "gui/thread_model.hpp"
#include "gui/wait_model.hpp"
#include "gui/variables_pane.hpp"
#include "gui/widgets.hpp"

class QCheckBox;
class QDockWidget;
class QLabel;
class QMenu;
class QSplitter;
class QSortFilterProxyModel;
class QTableView;
class QTimer;
class QTreeView;

namespace corelens::gui {

class MainWindow : public QMainWindow {
  Q_OBJECT
 public:
  explicit MainWindow(QWidget* parent = nullptr);
  ~MainWindow() override;

  void setAnalyzeOptions(const corelens::AnalyzeOptions& options) { options_ = options; }
  // Starts analysing PATH on a worker thread; reportShown() or loadFailed() follows.
  void openFile(const QString& path);
  // Analyses the running process PID (stopped for a moment, then let go), as openFile a dump.
  void openProcess(int pid);
  void cancelLoading();
  bool isLoading() const { return loader_->busy(); }
  // Whether closing saves the window layout, and opening restores it (off for screenshots).
  void setRememberLayout(bool remember) { remember_layout_ = remember; }
  void restoreLayout();

  void selectThread(int thread);  // index into Report::threads
  void selectTask(int task);      // index into Report::kernel->tasks: its stack, or its CPU's (task_stack_ref)
  void selectFrame(int frame);    // row of the current thread's stack
  void showMemory(std::uint64_t address);

  // For tests and the screenshot: what the window shows.
  SessionPtr session() const { return session_; }
  ReportPtr report() const { return report_; }
  // The stack shown: a thread's (currentThread(), an index into Report::threads) or a kernel
  // task's own (currentThread() -1); shownStack() is where the Report keeps it.
  StackRef currentStack() const { return frame_model_->stack(); }
  int currentThread() const { return frame_model_->stack().thread; }
  const StackReport* shownStack() const { return frame_model_->shown(); }
  int currentFrame() const { return current_frame_; }
  CrashBanner* banner() const { return banner_; }
  QLabel* registerLabel() const { return register_label_; }
  MessageBar* messageBar() const { return message_bar_; }
  LoadingBar* loadingBar() const { return loading_bar_; }
  const SessionLoader* loader() const { return loader_; }
  KernelLogView* kernelLogView() const { return kernel_log_view_; }
  QTreeView* threadView() const { return thread_view_; }
  QTableView* stackView() const { return stack_view_; }
  QTableView* registerView() const { return register_view_; }
  QTableView* disassemblyView() const { return disassembly_view_; }
  SourceView* sourceView() const { return source_view_; }
  HexView* hexView() const { return hex_view_; }
  ThreadModel* threadModel() const { return thread_model_; }
  TaskModel* taskModel() const { return task_model_; }
  QTableView* taskView() const { return task_view_; }
  QDockWidget* tasksDock() const { return tasks_dock_; }
  ThreadFilterModel* threadFilter() const { return thread_filter_; }
  FrameModel* frameModel() const { return frame_model_; }
  RegisterModel* registerModel() const { return register_model_; }
  VariablesPane* variablesPane() const { return variables_pane_; }
  DisassemblyModel* disassemblyModel() const { return disassembly_model_; }
  MappingModel* mappingModel() const { return mapping_model_; }
  ModuleModel* moduleModel() const { return module_model_; }
  DiagnosticModel* diagnosticModel() const { return diagnostic_model_; }
  NoteModel* noteModel() const { return note_model_; }
  WaitModel* waitModel() const { return wait_model_; }
  QTableView* waitView() const { return wait_view_; }
  QDockWidget* waitsDock() const { return waits_dock_; }
  QLineEdit* threadFilterEdit() const { return thread_filter_edit_; }
  QCheckBox* groupThreadsBox() const { return group_box_; }

  // The source pane's tooltip for NAME: its value in the selected frame; empty when NAME is no
  // name in scope there (main_window_actions.cpp).
  QString hoverValue(const QString& name) const;
  // The text the copy action puts on the clipboard.
  QString backtraceText() const;
  bool exportReport(const QString& path, const QString& format);  // "json" or "markdown"

 signals:
  void reportShown();                  // a dump is displayed, its crash selected
  void loadFailed(const QString& message);

 protected:
  void closeEvent(QCloseEvent* event) override;
  void showEvent(QShowEvent* event) override;
  void dragEnterEvent(QDragEnterEvent* event) override;
  void dropEvent(QDropEvent* event) override;

 private:
  void buildCentral();
  void buildDocks();
  void buildWaitsDock();  // main_window_waits.cpp
  void showWaits();       // fills the Waits pane; raised when threads are deadlocked
  void openProcessDialog();
  void buildMenus();
  QDockWidget* addDock(const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area);
  void onLoaded(const QString& path, SessionPtr session);
  void onFailed(const QString& path, const QString& message);
  void onThreadActivated(const QModelIndex& proxyIndex);
  void onTaskActivated(const QModelIndex& proxyIndex);
  void showStack(StackRef stack);
  void onFrameActivated(const QModelIndex& index);
  void updateFrameDetails();
  void addRecent(const QString& path);
  void fillRecentMenu();
  void openDialog();
  void exportDialog(const QString& format);
  void editSourcePaths();
  void focusPane(QWidget* pane);
  void showKernelLog();  // fills and shows the log pane for a kernel dump, hides it otherwise

  corelens::AnalyzeOptions options_;
  SessionLoader* loader_;
  SessionPtr session_;
  ReportPtr report_;
  std::shared_ptr<const AddressAnnotator> annotator_;
  int current_frame_ = -1;
  bool remember_layout_ = true;

  CrashBanner* banner_ = nullptr;
  MessageBar* message_bar_ = nullptr;
  LoadingBar* loading_bar_ = nullptr;
  QTimer* loading_timer_ = nullptr;
  QSplitter* center_split_ = nullptr;
  QSplitter* code_split_ = nullptr;

  ThreadModel* thread_model_;
  ThreadFilterModel* thread_filter_;
  TaskModel* task_model_;
  QSortFilterProxyModel* task_proxy_ = nullptr;
  FrameModel* frame_model_;
  RegisterModel* register_model_;
  DisassemblyModel* disassembly_model_;
  MappingModel* mapping_model_;
  ModuleModel* module_model_;
  DiagnosticModel* diagnostic_model_;
  NoteModel* note_model_;
  WaitModel* wait_model_;
  QTableView* wait_view_ = nullptr;
  QDockWidget* waits_dock_ = nullptr;
  QSortFilterProxyModel* mapping_proxy_ = nullptr;
  QSortFilterProxyModel* module_proxy_ = nullptr;

  QTreeView* thread_view_ = nullptr;
  QLineEdit* thread_filter_edit_ = nullptr;
  QCheckBox* group_box_ = nullptr;
  QTableView* stack_view_ = nullptr;
  QLabel* stack_label_ = nullptr;
  QTableView* register_view_ = nullptr;
  QLabel* register_label_ = nullptr;
  QTableView* disassembly_view_ = nullptr;
  QLabel* disassembly_label_ = nullptr;
  SourceView* source_view_ = nullptr;
  QLabel* source_label_ = nullptr;
  HexView* hex_view_ = nullptr;
  QMenu* recent_menu_ = nullptr;
  QDockWidget* memory_dock_ = nullptr;
  QDockWidget* threads_dock_ = nullptr;
  QDockWidget* registers_dock_ = nullptr;
  QDockWidget* variables_dock_ = nullptr;
  VariablesPane* variables_pane_ = nullptr;
  // The values of the open user core's frames (unwinder/values); reset before session_ is.
  std::shared_ptr<values::ValueEngine> values_;
  KernelLogView* kernel_log_view_ = nullptr;
  QDockWidget* kernel_log_dock_ = nullptr;
  QTableView* task_view_ = nullptr;
  QDockWidget* tasks_dock_ = nullptr;
};

}  // namespace corelens::gui
