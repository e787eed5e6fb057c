// MainWindow: layout, loading, and what selecting a thread or a frame shows. Menus, files and
// settings are in main_window_actions.cpp.
#include "gui/main_window.hpp"

#include <QCheckBox>
#include <QDockWidget>
#include <QFileInfo>
#include <QHeaderView>
#include <QLabel>
#include <QSortFilterProxyModel>
#include <QSplitter>
#include <QStatusBar>
#include <QTabWidget>
#include <QTableView>
#include <QTimer>
#include <QTreeView>
#include <QVBoxLayout>
#include <set>

#include "core/model/strings.hpp"
#include "core/report/crash_summary.hpp"
#include "core/report/kernel/kernel_sections.hpp"
#include "gui/screen_fit.hpp"
#include "unwinder/pipeline/user_session.hpp"

namespace corelens::gui {
namespace {

QSortFilterProxyModel* sorted_filtered(QAbstractItemModel* source, QObject* parent) {
  auto* proxy = new QSortFilterProxyModel(parent);
  proxy->setSourceModel(source);
  proxy->setSortRole(SortRole);
  proxy->setFilterRole(SearchTextRole);
  proxy->setFilterCaseSensitivity(Qt::CaseInsensitive);
  proxy->setFilterKeyColumn(0);
  return proxy;
}

// Function names for addresses, from the Session's symbol tables ("main+0x1b").
SymbolNamer session_namer(const SessionPtr& session) {
  return [session](std::uint64_t addr) -> std::optional<std::string> {
    auto hit = session->symbol_at(addr);
    if (!hit || hit->name.empty()) return std::nullopt;
    std::string name = printable(hit->name);
    if (addr > hit->address) name += "+" + hex(addr - hit->address);
    return name;
  };
}

}  // namespace

MainWindow::MainWindow(QWidget* parent)
    : QMainWindow(parent),
      loader_(new SessionLoader(this)),
      thread_model_(new ThreadModel(this)),
      thread_filter_(new ThreadFilterModel(this)),
      task_model_(new TaskModel(this)),
      frame_model_(new FrameModel(this)),
      register_model_(new RegisterModel(this)),
      disassembly_model_(new DisassemblyModel(this)),
      mapping_model_(new MappingModel(this)),
      module_model_(new ModuleModel(this)),
      diagnostic_model_(new DiagnosticModel(this)),
      note_model_(new NoteModel(this)),
      wait_model_(new WaitModel(this)) {
  setWindowTitle(tr("corelens"));
  setAcceptDrops(true);
  setDockOptions(QMainWindow::AnimatedDocks | QMainWindow::AllowTabbedDocks);
  thread_filter_->setSourceModel(thread_model_);
  buildCentral();
  buildDocks();
  buildMenus();
  resize(fitted_to_screen(QSize(1500, 950), screen()));

  loading_timer_ = new QTimer(this);
  loading_timer_->setInterval(500);
  connect(loading_timer_, &QTimer::timeout, this, [this] { loading_bar_->setElapsed(loader_->elapsedMs()); });
  connect(loader_, &SessionLoader::started, this, [this](const QString& path) {
    loading_bar_->start(path);
    loading_timer_->start();
  });
  connect(loader_, &SessionLoader::progress, loading_bar_, &LoadingBar::setProgress);
  connect(loader_, &SessionLoader::loaded, this, &MainWindow::onLoaded);
  connect(loader_, &SessionLoader::failed, this, &MainWindow::onFailed);
  connect(loader_, &SessionLoader::cancelled, this, [this](const QString& path) {
    loading_timer_->stop();
    loading_bar_->hide();
    statusBar()->showMessage(tr("Cancelled analysing %1").arg(path), 5000);
  });
  connect(loading_bar_->cancelButton(), &QPushButton::clicked, this, &MainWindow::cancelLoading);
}

MainWindow::~MainWindow() = default;

void MainWindow::buildCentral() {
  auto* central = new QWidget(this);
  auto* layout = new QVBoxLayout(central);
  layout->setContentsMargins(4, 4, 4, 0);
  layout->setSpacing(4);
  message_bar_ = new MessageBar(central);
  loading_bar_ = new LoadingBar(central);
  banner_ = new CrashBanner(central);
  layout->addWidget(message_bar_);
  layout->addWidget(loading_bar_);
  layout->addWidget(banner_);

  center_split_ = new QSplitter(Qt::Vertical, central);
  center_split_->setObjectName(QStringLiteral("centerSplit"));
  stack_view_ = make_table(central);
  stack_view_->setObjectName(QStringLiteral("stackView"));
  stack_view_->setModel(frame_model_);
  stack_view_->setAlternatingRowColors(false);
  stack_label_ = new QLabel(tr("<b>Stack</b>"), central);
  center_split_->addWidget(titled(center_split_, stack_label_, stack_view_));

  code_split_ = new QSplitter(Qt::Horizontal, center_split_);
  code_split_->setObjectName(QStringLiteral("codeSplit"));
  source_view_ = new SourceView(code_split_);
  source_view_->setObjectName(QStringLiteral("sourceView"));
  source_view_->setPathMap(SourcePathMap::load());
  source_label_ = new QLabel(tr("<b>Source</b>"), code_split_);
  code_split_->addWidget(titled(code_split_, source_label_, source_view_));
  disassembly_view_ = make_table(code_split_);
  disassembly_view_->setObjectName(QStringLiteral("disassemblyView"));
  disassembly_view_->setModel(disassembly_model_);
  disassembly_view_->setAlternatingRowColors(false);
  disassembly_view_->verticalHeader()->setDefaultSectionSize(disassembly_view_->fontMetrics().height() + 2);
  // Bytes and module offsets are in the tooltip: the instruction and its target need the room.
  disassembly_view_->setColumnHidden(DisassemblyModel::ColBytes, true);
  disassembly_view_->setColumnHidden(DisassemblyModel::ColOffset, true);
  disassembly_label_ = new QLabel(tr("<b>Disassembly</b>"), code_split_);
  code_split_->addWidget(titled(code_split_, disassembly_label_, disassembly_view_));
  code_split_->setStretchFactor(0, 4);
  code_split_->setStretchFactor(1, 5);
  center_split_->addWidget(code_split_);
  center_split_->setStretchFactor(0, 1);  // the code panes get the room; the stack scrolls
  center_split_->setStretchFactor(1, 2);
  layout->addWidget(center_split_, 1);
  setCentralWidget(central);

  connect(stack_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) { onFrameActivated(current); });
  connect(disassembly_view_, &QTableView::doubleClicked, this, [this](const QModelIndex& idx) {
    showMemory(idx.data(AddressRole).toULongLong());
  });
}

QDockWidget* MainWindow::addDock(const QString& title, const QString& name, QWidget* widget, Qt::DockWidgetArea area) {
  auto* dock = new QDockWidget(title, this);
  dock->setObjectName(name);  // saveState() needs it
  dock->setWidget(widget);
  addDockWidget(area, dock);
  return dock;
}

void MainWindow::buildDocks() {
  // Threads: filter, grouping, tree.
  auto* threads = new QWidget(this);
  auto* tl = new QVBoxLayout(threads);
  tl->setContentsMargins(2, 2, 2, 2);
  thread_filter_edit_ = new QLineEdit(threads);
  thread_filter_edit_->setPlaceholderText(tr("Filter: tid, name or any function (Ctrl+F)"));
  thread_filter_edit_->setClearButtonEnabled(true);
  group_box_ = new QCheckBox(tr("Group identical stacks"), threads);
  thread_view_ = new QTreeView(threads);
  thread_view_->setObjectName(QStringLiteral("threadView"));
  thread_view_->setModel(thread_filter_);
  thread_view_->setRootIsDecorated(true);
  thread_view_->setUniformRowHeights(true);
  thread_view_->setSortingEnabled(false);
  thread_view_->setAllColumnsShowFocus(true);
  thread_view_->setTextElideMode(Qt::ElideMiddle);
  thread_view_->header()->setStretchLastSection(false);
  thread_view_->header()->setSectionResizeMode(ThreadModel::ColTop, QHeaderView::Stretch);
  tl->addWidget(thread_filter_edit_);
  tl->addWidget(group_box_);
  tl->addWidget(thread_view_, 1);
  threads_dock_ = addDock(tr("Threads"), QStringLiteral("threadsDock"), threads, Qt::LeftDockWidgetArea);
  connect(thread_filter_edit_, &QLineEdit::textChanged, thread_filter_, &QSortFilterProxyModel::setFilterFixedString);
  connect(group_box_, &QCheckBox::toggled, this, [this](bool on) {
    int thread = currentThread();
    thread_model_->setGrouped(on);
    thread_view_->expandAll();
    if (thread >= 0) {
      QModelIndex idx = thread_filter_->mapFromSource(thread_model_->indexForThread(thread));
      QSignalBlocker block(thread_view_->selectionModel());
      thread_view_->setCurrentIndex(idx);
    }
  });
  connect(thread_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) { onThreadActivated(current); });

  // Tasks: kernel dumps only (hidden for user cores), beside the threads (there: the CPUs).
  auto* tasks = new QWidget(this);
  auto* kl = new QVBoxLayout(tasks);
  kl->setContentsMargins(2, 2, 2, 2);
  auto* task_filter = new QLineEdit(tasks);
  task_filter->setPlaceholderText(tr("Filter: pid, command or any function"));
  task_filter->setClearButtonEnabled(true);
  task_proxy_ = sorted_filtered(task_model_, this);
  task_view_ = make_table(tasks, true);
  task_view_->setObjectName(QStringLiteral("taskView"));
  task_view_->setModel(task_proxy_);
  task_view_->horizontalHeader()->setStretchLastSection(true);
  kl->addWidget(task_filter);
  kl->addWidget(task_view_, 1);
  tasks_dock_ = addDock(tr("Tasks"), QStringLiteral("tasksDock"), tasks, Qt::LeftDockWidgetArea);
  tabifyDockWidget(threads_dock_, tasks_dock_);
  tasks_dock_->hide();
  connect(task_filter, &QLineEdit::textChanged, task_proxy_, &QSortFilterProxyModel::setFilterFixedString);
  connect(task_view_->selectionModel(), &QItemSelectionModel::currentRowChanged, this,
          [this](const QModelIndex& current) { onTaskActivated(current); });

  // Registers of the selected frame.
  auto* regs = new QWidget(this);
  auto* rl = new QVBoxLayout(regs);
  rl->setContentsMargins(2, 2, 2, 2);
  register_label_ = new QLabel(regs);
  register_view_ = make_table(regs);
  register_view_->setObjectName(QStringLiteral("registerView"));
  register_view_->setModel(register_model_);
  register_view_->setToolTip(tr("Double-click a value to show the memory it points to"));
  rl->addWidget(register_label_);
  rl->addWidget(register_view_, 1);
  registers_dock_ = addDock(tr("Registers"), QStringLiteral("registersDock"), regs, Qt::LeftDockWidgetArea);
  connect(register_view_, &QTableView::doubleClicked, this, [this](const QModelIndex& idx) {
    if (idx.data(KnownRole).toBool()) showMemory(idx.data(AddressRole).toULongLong());
  });

  // Arguments and locals of the selected frame, beside the registers.
  variables_pane_ = new VariablesPane(this);
  variables_pane_->setObjectName(QStringLiteral("variablesPane"));
  variables_dock_ = addDock(tr("Variables"), QStringLiteral("variablesDock"), variables_pane_, Qt::LeftDockWidgetArea);
  tabifyDockWidget(registers_dock_, variables_dock_);
  variables_dock_->raise();
  connect(variables_pane_, &VariablesPane::memoryRequested, this, [this](quint64 a) { showMemory(a); });
  source_view_->setHoverEvaluator([this](const QString& name) { return hoverValue(name); });

  // Memory map: filterable and sortable.
  auto* maps = new QWidget(this);
  auto* ml = new QVBoxLayout(maps);
  ml->setContentsMargins(2, 2, 2, 2);
  auto* map_filter = new QLineEdit(maps);
  map_filter->setPlaceholderText(tr("Filter: address, permissions, file, stack, heap, not saved…"));
  map_filter->setClearButtonEnabled(true);
  mapping_proxy_ = sorted_filtered(mapping_model_, this);
  auto* map_view = make_table(maps, true);
  map_view->setObjectName(QStringLiteral("mappingView"));
  map_view->setModel(mapping_proxy_);
  map_view->sortByColumn(MappingModel::ColStart, Qt::AscendingOrder);
  map_view->setToolTip(tr("Double-click a mapping to show its memory"));
  ml->addWidget(map_filter);
  ml->addWidget(map_view, 1);
  connect(map_filter, &QLineEdit::textChanged, mapping_proxy_, &QSortFilterProxyModel::setFilterFixedString);
  connect(map_view, &QTableView::doubleClicked, this, [this](const QModelIndex& idx) {
    showMemory(idx.data(AddressRole).toULongLong());
  });
  auto* map_dock = addDock(tr("Memory map"), QStringLiteral("mapDock"), maps, Qt::BottomDockWidgetArea);

  // Modules.
  module_proxy_ = sorted_filtered(module_model_, this);
  auto* module_view = make_table(this, true);
  module_view->setObjectName(QStringLiteral("moduleView"));
  module_view->setModel(module_proxy_);
  auto* module_dock = addDock(tr("Modules"), QStringLiteral("moduleDock"), module_view, Qt::BottomDockWidgetArea);

  // Memory.
  hex_view_ = new HexView(this);
  hex_view_->setObjectName(QStringLiteral("hexView"));
  hex_view_->setDescriber([this](std::uint64_t a) {
    return annotator_ ? QString::fromStdString(printable(annotator_->annotate(a))) : QString();
  });
  hex_view_->setResolver([this](const QString& text) -> std::optional<std::uint64_t> {
    for (int r = 0; r < register_model_->rowCount(); ++r) {
      QModelIndex name = register_model_->index(r, RegisterModel::ColName);
      if (name.data().toString().compare(text, Qt::CaseInsensitive) == 0 && name.data(KnownRole).toBool()) {
        return name.data(AddressRole).toULongLong();
      }
    }
    if (session_) return session_->symbol_address(text.toStdString());
    return std::nullopt;
  });
  memory_dock_ = addDock(tr("Memory"), QStringLiteral("memoryDock"), hex_view_, Qt::BottomDockWidgetArea);

  // Diagnostics and notes.
  auto* diag_split = new QSplitter(Qt::Horizontal, this);
  auto* diag_view = make_table(diag_split, true);
  diag_view->setObjectName(QStringLiteral("diagnosticView"));
  diag_view->setModel(sorted_filtered(diagnostic_model_, this));
  auto* note_view = make_table(diag_split, true);
  note_view->setObjectName(QStringLiteral("noteView"));
  note_view->setModel(sorted_filtered(note_model_, this));
  diag_split->addWidget(diag_view);
  diag_split->addWidget(note_view);
  diag_split->setStretchFactor(0, 3);
  diag_split->setStretchFactor(1, 1);
  auto* diag_dock = addDock(tr("Diagnostics && notes"), QStringLiteral("diagnosticsDock"), diag_split, Qt::BottomDockWidgetArea);

  // The kernel log: kernel dumps only (hidden for user cores).
  kernel_log_view_ = new KernelLogView(this);
  kernel_log_view_->setObjectName(QStringLiteral("kernelLogView"));
  kernel_log_dock_ = addDock(tr("Kernel log"), QStringLiteral("kernelLogDock"), kernel_log_view_, Qt::BottomDockWidgetArea);

  tabifyDockWidget(map_dock, module_dock);
  tabifyDockWidget(module_dock, memory_dock_);
  tabifyDockWidget(memory_dock_, diag_dock);
  tabifyDockWidget(diag_dock, kernel_log_dock_);
  kernel_log_dock_->hide();
  map_dock->raise();
  setCorner(Qt::BottomLeftCorner, Qt::LeftDockWidgetArea);
  resizeDocks({threads_dock_, registers_dock_}, {300, 420}, Qt::Vertical);
  resizeDocks({threads_dock_}, {400}, Qt::Horizontal);
  resizeDocks({map_dock}, {210}, Qt::Vertical);
  buildWaitsDock();
}

void MainWindow::openFile(const QString& path) {
  message_bar_->hide();
  loader_->load(path, options_);
}

void MainWindow::cancelLoading() { loader_->cancel(); }

void MainWindow::onFailed(const QString& path, const QString& message) {
  loading_timer_->stop();
  loading_bar_->hide();
  message_bar_->showError(tr("Cannot open %1: %2").arg(path.toHtmlEscaped(), message.toHtmlEscaped()));
  emit loadFailed(message);
}

void MainWindow::onLoaded(const QString& path, SessionPtr session) {
  loading_timer_->stop();
  loading_bar_->hide();
  variables_pane_->clear();
  session_ = std::move(session);
  report_ = ReportPtr(session_, &session_->report());
  annotator_ = std::make_shared<AddressAnnotator>(report_.get(), session_namer(session_));
  // Values of a user core's frames, read when a frame is shown; the engine keeps its Session.
  values_.reset();
  if (const auto* user = dynamic_cast<const UserSession*>(session_.get())) {
    values_ = std::shared_ptr<values::ValueEngine>(
        new values::ValueEngine(user->report(), user->memory(), &user->dump()),
        [keep = session_](values::ValueEngine* e) { delete e; });
  }
  current_frame_ = -1;
  banner_->setReport(report_);
  thread_model_->setReport(report_);
  thread_view_->expandAll();
  task_model_->setReport(report_);
  const bool has_tasks = report_->kernel && !report_->kernel->tasks.empty();
  tasks_dock_->toggleViewAction()->setEnabled(has_tasks);
  tasks_dock_->setVisible(has_tasks);
  threads_dock_->setWindowTitle(report_->kernel ? tr("CPUs") : tr("Threads"));
  threads_dock_->raise();
  mapping_model_->setReport(report_, annotator_);
  module_model_->setReport(report_, annotator_);
  diagnostic_model_->setReport(report_, annotator_);
  note_model_->setReport(report_, annotator_);
  hex_view_->model()->setSource(session_, &session_->memory());
  for (QTableView* v : findChildren<QTableView*>()) {
    if (v != stack_view_ && v != disassembly_view_ && v != register_view_) size_columns_to_contents(v);
  }
  setWindowTitle(tr("%1 — corelens").arg(QFileInfo(path).fileName()));
  if (!report_->live) addRecent(path);  // a process is not a file to open again
  showWaits();

  const std::size_t crashed = crashed_thread(*report_);
  if (!report_->threads.empty()) {
    selectThread(static_cast<int>(crashed));
    // Memory opens on the fault address when it is readable, else on the crashing stack.
    const ThreadReport& t = report_->threads[crashed];
    std::optional<std::uint64_t> where;
    if (report_->signal && report_->signal->address && annotator_->describe(*report_->signal->address).mapping) {
      where = report_->signal->address;
    }
    if (!where) where = stack_pointer(t.registers);
    if (where) showMemory(*where);
  } else {
    frame_model_->setStack(report_, {});
    updateFrameDetails();
  }
  showKernelLog();  // after the memory pane was raised: for a kernel dump the log comes first
  size_column_to_contents(thread_view_, ThreadModel::ColThread);
  size_column_to_contents(thread_view_, ThreadModel::ColName);
  if (report_->kernel) {
    statusBar()->showMessage(tr("%1: kernel %2, %3 CPUs, %4 log records, %5 kallsyms symbols")
                                 .arg(path, QString::fromStdString(printable(report_->kernel->release)))
                                 .arg(report_->kernel->cpus.size())
                                 .arg(report_->kernel->log_records)
                                 .arg(report_->kernel->kallsyms_symbols));
  } else {
    statusBar()->showMessage(tr("%1: %2 threads, %3 modules, %4 mappings")
                                 .arg(path)
                                 .arg(report_->threads.size())
                                 .arg(report_->modules.size())
                                 .arg(report_->mappings.size()));
  }
  emit reportShown();
}

void MainWindow::showKernelLog() {
  std::vector<KernelLogLine> log = session_ ? session_->kernel_log() : std::vector<KernelLogLine>{};
  bool kernel = session_ && report_->kernel;
  kernel_log_dock_->toggleViewAction()->setEnabled(kernel);
  if (!kernel) {
    kernel_log_view_->setLog({}, {});
    kernel_log_dock_->hide();
    return;
  }
  std::set<std::uint64_t> oops;
  for (const auto& line : report_->kernel->oops) oops.insert(line.seq);
  QStringList lines;
  QList<int> highlight;
  for (const KernelLogLine& l : log) {
    if (oops.count(l.seq)) highlight << static_cast<int>(lines.size());
    lines << QString::fromStdString(kernel_log_line_text(l));
  }
  kernel_log_view_->setLog(lines, highlight);
  kernel_log_dock_->show();
  kernel_log_dock_->raise();
}

void MainWindow::selectThread(int thread) {
  QModelIndex idx = thread_filter_->mapFromSource(thread_model_->indexForThread(thread));
  if (!idx.isValid()) {  // filtered out: clear the filter so the selection is visible
    thread_filter_edit_->clear();
    idx = thread_filter_->mapFromSource(thread_model_->indexForThread(thread));
  }
  thread_view_->setCurrentIndex(idx);
  if (currentStack() != StackRef::of_thread(thread)) onThreadActivated(idx);
}

void MainWindow::onThreadActivated(const QModelIndex& proxyIndex) {
  if (!report_ || !proxyIndex.isValid()) return;
  int thread = proxyIndex.data(ThreadIndexRole).toInt();
  if (thread < 0 || thread >= static_cast<int>(report_->threads.size())) return;
  showStack(StackRef::of_thread(thread));
}

void MainWindow::selectTask(int task) {
  if (!report_ || !report_->kernel || task < 0 || task >= static_cast<int>(report_->kernel->tasks.size())) return;
  QModelIndex idx = task_proxy_->mapFromSource(task_model_->index(task, 0));
  if (idx.isValid()) {
    task_view_->setCurrentIndex(idx);
    task_view_->scrollTo(idx);
  }
  onTaskActivated(idx.isValid() ? idx : task_model_->index(task, 0));
}

void MainWindow::onTaskActivated(const QModelIndex& index) {
  if (!report_ || !index.isValid()) return;
  const StackRef stack = task_stack_ref(*report_, static_cast<std::size_t>(index.data(TaskIndexRole).toInt()));
  if (stack.thread >= 0) {
    selectThread(stack.thread);  // running at the crash: its stack is its CPU's
    return;
  }
  if (stack.task < 0) return;
  {
    QSignalBlocker block(thread_view_->selectionModel());
    thread_view_->clearSelection();
    thread_view_->setCurrentIndex({});
  }
  if (currentStack() != stack) showStack(stack);
}

void MainWindow::showStack(StackRef stack) {
  frame_model_->setStack(report_, stack);
  const StackReport* shown = frame_model_->shown();
  if (shown == nullptr) return;
  const StackReport& t = *shown;
  const StackOwner owner = stack_owner(*report_, stack);
  // A task's own stack never crashed: a task running at the crash shows its CPU's thread.
  int first = 0;
  if (stack.thread >= 0) first = static_cast<int>(first_interesting_frame(*report_, report_->threads[static_cast<std::size_t>(stack.thread)]));
  if (owner.crashed) frame_model_->setHighlightedFrame(first);
  stack_label_->setText(tr("<b>Stack of %1 %2</b>%3%4 — %5 frames%6")
                            .arg(owner.task ? tr("task") : tr("thread"))
                            .arg(owner.id)
                            .arg(owner.name.empty() ? QString() : QStringLiteral(" “%1”").arg(QString::fromStdString(printable(owner.name)).toHtmlEscaped()))
                            .arg(owner.crashed ? tr(" <span style='color:#a00018'>(crashed)</span>") : QString())
                            .arg(t.frames.size())
                            .arg(t.unwind.complete() ? QString() : tr(" <span style='color:#a06000'>(incomplete: %1)</span>").arg(QString::fromStdString(printable(describe(t.unwind))).toHtmlEscaped())));
  size_columns_to_contents(stack_view_);
  current_frame_ = -1;
  if (t.frames.empty()) {
    updateFrameDetails();
  } else {
    selectFrame(owner.crashed ? first : 0);
  }
}

void MainWindow::selectFrame(int frame) {
  QModelIndex idx = frame_model_->index(frame, 0);
  if (!idx.isValid()) return;
  stack_view_->setCurrentIndex(idx);
  stack_view_->scrollTo(idx);
  if (current_frame_ != frame) onFrameActivated(idx);
}

void MainWindow::onFrameActivated(const QModelIndex& index) {
  if (!index.isValid() || index.row() == current_frame_) return;
  current_frame_ = index.row();
  updateFrameDetails();
}

void MainWindow::updateFrameDetails() {
  const StackRef stack = currentStack();
  const StackReport* shown = frame_model_->shown();
  if (!report_ || shown == nullptr || current_frame_ < 0) {
    register_model_->clear();
    variables_pane_->clear();
    disassembly_model_->clear();
    source_view_->showMessage(report_ ? tr("This thread has no frames.") : QString());
    register_label_->clear();
    disassembly_label_->setText(tr("<b>Disassembly</b>"));
    source_label_->setText(tr("<b>Source</b>"));
    return;
  }
  const StackReport& t = *shown;
  const StackOwner owner = stack_owner(*report_, stack);
  const std::vector<Register> registers = innermost_registers(*report_, stack);
  const Frame& f = t.frames[static_cast<std::size_t>(current_frame_)];
  const std::size_t phys = physical_frame(t, static_cast<std::size_t>(current_frame_));
  const Frame& pf = t.frames[phys];
  const bool innermost = phys == 0 || pf.trust == FrameTrust::context;
  // A kernel dump's CPUs stopped in the panic or an NMI, not at a faulting instruction.
  const bool faulted = innermost && owner.crashed && !report_->kernel;

  register_model_->setFrame(report_, stack, current_frame_, annotator_);
  if (values_ && stack.thread >= 0) {
    variables_pane_->setFrame(values_, annotator_, stack.thread, current_frame_);
  } else {
    variables_pane_->clear();
  }
  register_view_->resizeColumnsToContents();
  register_label_->setText(innermost ? tr("Frame #%1: every register of thread %2").arg(f.index).arg(owner.id)
                                     : tr("Frame #%1: registers the unwinder recovered (%2)").arg(f.index).arg(frame_found_by(*report_, pf)));

  DisassemblyRequest req;
  req.arch = report_->arch;
  req.registers = &registers;
  req.pc = pf.pc;
  req.highlight = innermost ? pf.pc : pf.lookup_pc;
  if (!pf.function.empty() && pf.function_offset <= pf.lookup_pc) req.function_start = pf.lookup_pc - pf.function_offset;
  Disassembly dis = disassemble(session_->memory(), req);
  const QString error = QString::fromStdString(dis.error);
  disassembly_model_->setDisassembly(std::move(dis), faulted, annotator_);
  disassembly_view_->resizeColumnsToContents();
  if (disassembly_model_->currentRow() >= 0) {
    QModelIndex cur = disassembly_model_->index(disassembly_model_->currentRow(), 0);
    disassembly_view_->scrollTo(cur, QAbstractItemView::PositionAtCenter);
  }
  QString what = QString::fromStdString(printable(function_text(pf))).toHtmlEscaped();
  // A kernel caller frame with an exact pc is the context an exception or interrupt saved.
  const bool interrupted = !innermost && pf.lookup_pc == pf.pc && pf.trust != FrameTrust::scan;
  QString marker = faulted       ? tr("⇒ the instruction that faulted")
                   : innermost   ? tr("⇒ where the thread stopped")
                   : interrupted ? tr("⇒ where an exception or interrupt stopped it")
                                 : tr("↳ the call it is waiting in");
  disassembly_label_->setText(tr("<b>Disassembly</b> of %1 — %2").arg(what, marker) +
                              (error.isEmpty() ? QString() : QStringLiteral(" <span style='color:#a06000'>(%1)</span>").arg(error.toHtmlEscaped())));

  const QString file = QString::fromStdString(f.file);
  source_view_->showLocation(file, static_cast<int>(f.line), static_cast<int>(f.column),
                             QString::fromStdString(f.compilation_dir));
  source_label_->setText(f.file.empty() ? tr("<b>Source</b>")
                                        : tr("<b>Source</b> %1 <span style='color:#606060'>%2</span>")
                                              .arg(QString::fromStdString(printable(location_text(f))).toHtmlEscaped(),
                                                   source_view_->shownFile().isEmpty() ? QString() : source_view_->shownFile().toHtmlEscaped()));
}

}  // namespace corelens::gui
