// The main window on real sample cores: what a person sees without a click (the crashing thread
// selected, its stack, the crashing frame's registers, disassembly and source), one click on a
// caller, damaged files, cancelling, exports, and --screenshot.
#include <QAbstractItemModelTester>
#include <QCheckBox>
#include <QLineEdit>
#include <QJsonDocument>
#include <QProcess>
#include <QStandardPaths>
#include <QTableView>
#include <QTemporaryDir>
#include <QTreeView>
#include <QDockWidget>
#include <QtTest>

#include "core/model/strings.hpp"
#include "core/report/crash_summary.hpp"
#include "gui/main_window.hpp"
#include "tests/gui/gui_test_support.hpp"

using namespace corelens;
using namespace corelens::gui;
using corelens::gui::testing::core_path;
using corelens::gui::testing::marker_line;

namespace {

constexpr int kLoadTimeoutMs = 120'000;

bool open_and_wait(MainWindow& w, const QString& path) {
  QSignalSpy shown(&w, &MainWindow::reportShown);
  QSignalSpy failed(&w, &MainWindow::loadFailed);
  w.openFile(path);
  QElapsedTimer timer;
  timer.start();
  while (shown.count() + failed.count() == 0 && timer.elapsed() < kLoadTimeoutMs) QTest::qWait(20);
  return shown.count() == 1;
}

QString cell(QAbstractItemModel* m, int row, int column) { return m->index(row, column).data().toString(); }

// The row of the register named NAME in the register pane.
int register_row(MainWindow& w, const QString& name) {
  auto* m = w.registerModel();
  for (int r = 0; r < m->rowCount(); ++r) {
    if (cell(m, r, RegisterModel::ColName) == name) return r;
  }
  return -1;
}

QString current_instruction(MainWindow& w) {
  auto* m = w.disassemblyModel();
  return m->currentRow() < 0 ? QString() : cell(m, m->currentRow(), DisassemblyModel::ColInstruction);
}

}  // namespace

class WindowTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() {
    QStandardPaths::setTestModeEnabled(true);
    QCoreApplication::setOrganizationName(QStringLiteral("corelens-tests"));
  }

  // Opening each sample: the crash is selected and every pane is about the crashing frame.
  void crashSelectedOnOpen_data() {
    QTest::addColumn<QString>("method");
    QTest::addColumn<QString>("sample");
    QTest::addColumn<QString>("source");
    QTest::addColumn<QString>("function");
    QTest::addColumn<QString>("instruction");  // what the highlighted instruction must contain
    QTest::addColumn<QString>("signal");
    QTest::newRow("null_read") << "auto" << "null_read" << "null_read.c" << "f3" << "mov eax, dword ptr [rax]" << "SIGSEGV";
    QTest::newRow("null_read/gcore") << "gcore" << "null_read" << "null_read.c" << "f3" << "dword ptr [rax]" << "SIGSEGV";
    QTest::newRow("divide_by_zero") << "auto" << "divide_by_zero" << "divide_by_zero.c" << "average" << "div" << "SIGFPE";
    QTest::newRow("illegal_instruction") << "auto" << "illegal_instruction" << "illegal_instruction.c" << "execute_opcode" << "ud2" << "SIGILL";
    QTest::newRow("readonly_write") << "auto" << "readonly_write" << "readonly_write.c" << "capitalize" << "mov byte ptr" << "SIGSEGV";
    QTest::newRow("threads_blocked") << "auto" << "threads_blocked" << "threads_blocked.c" << "crash_in_main_thread" << "mov dword ptr [rax]" << "SIGSEGV";
    // abort(): the first frame in the program's own code is shown, waiting in its call.
    QTest::newRow("assert_fail") << "auto" << "assert_fail" << "assert_fail.c" << "parse_header" << "call" << "SIGABRT";
    QTest::newRow("inlined_o2") << "auto" << "inlined_o2" << "inlined_o2.cpp" << "extract_field" << "" << "SIGSEGV";
  }
  void crashSelectedOnOpen() {
    QFETCH(QString, method);
    QFETCH(QString, sample);
    QFETCH(QString, source);
    QFETCH(QString, function);
    QFETCH(QString, instruction);
    QFETCH(QString, signal);
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QVERIFY(open_and_wait(w, core_path(method, sample)));
    const Report& r = *w.report();

    // The crashing thread is selected and marked.
    const int crashed = static_cast<int>(crashed_thread(r));
    QVERIFY(r.threads[static_cast<std::size_t>(crashed)].crashed);
    QCOMPARE(w.currentThread(), crashed);
    QModelIndex current_thread = w.threadView()->currentIndex();
    QCOMPARE(current_thread.data(ThreadIndexRole).toInt(), crashed);
    QVERIFY(current_thread.data(HighlightRole).toBool());

    // Its whole stack, and the frame shown is the one the crash is about.
    const ThreadReport& t = r.threads[static_cast<std::size_t>(crashed)];
    QCOMPARE(w.frameModel()->rowCount(), static_cast<int>(t.frames.size()));
    QVERIFY(w.currentFrame() >= 0);
    QCOMPARE(w.stackView()->currentIndex().row(), w.currentFrame());
    const Frame& f = t.frames[static_cast<std::size_t>(w.currentFrame())];
    QCOMPARE(QString::fromStdString(comparable(f.function)), function);

    // The banner says what, where and why.
    QString banner = w.banner()->text();
    QVERIFY2(banner.contains(signal), qPrintable(banner));
    QVERIFY2(banner.contains(function), qPrintable(banner));
    QVERIFY2(banner.contains(QStringLiteral("thread %1").arg(t.tid)), qPrintable(banner));
    // ... and why, in the analysis's words, with the category.
    QVERIFY(r.analysis.has_value());
    QVERIFY(!r.analysis->why.empty());
    QVERIFY2(banner.contains(QString::fromStdString(r.analysis->why)), qPrintable(banner));
    QVERIFY2(banner.contains(QString::fromStdString(r.analysis->classification.category)), qPrintable(banner));
    if (sample == QLatin1String("null_read")) QVERIFY2(banner.contains(QStringLiteral("NULL pointer")), qPrintable(banner));

    // Registers: the innermost frame has every register of the thread, the pc among them.
    const std::size_t phys = physical_frame(t, static_cast<std::size_t>(w.currentFrame()));
    if (t.frames[phys].trust == FrameTrust::context) {
      QCOMPARE(w.registerModel()->rowCount(), static_cast<int>(t.registers.size()));
      int rip = register_row(w, QStringLiteral("rip"));
      QVERIFY(rip >= 0);
      QCOMPARE(cell(w.registerModel(), rip, RegisterModel::ColValue), QString::fromStdString(hex_padded(t.frames[phys].pc)));
      QVERIFY(cell(w.registerModel(), rip, RegisterModel::ColPointsTo).contains(QFileInfo(QString::fromStdString(f.module)).fileName()));
      int rsp = register_row(w, QStringLiteral("rsp"));
      QVERIFY(cell(w.registerModel(), rsp, RegisterModel::ColPointsTo).startsWith(QStringLiteral("stack of thread")));
    } else {
      int unknown = 0;
      for (int row = 0; row < w.registerModel()->rowCount(); ++row) {
        unknown += !w.registerModel()->index(row, RegisterModel::ColValue).data(KnownRole).toBool();
      }
      QVERIFY(unknown > 0);  // a caller never shows frame 0's caller-saved registers
    }

    // Disassembly: the faulting (or calling) instruction is highlighted.
    QVERIFY2(w.disassemblyModel()->currentRow() >= 0, qPrintable(QString::fromStdString(w.disassemblyModel()->disassembly().error)));
    QVERIFY(w.disassemblyModel()->index(w.disassemblyModel()->currentRow(), 0).data(HighlightRole).toBool());
    QVERIFY2(current_instruction(w).contains(instruction), qPrintable(current_instruction(w)));
    const Instruction& ins = w.disassemblyModel()->disassembly().instructions[static_cast<std::size_t>(w.disassemblyModel()->currentRow())];
    QVERIFY(f.lookup_pc >= ins.address && f.lookup_pc < ins.address + ins.bytes.size());

    // Source: the CRASH-SITE line of the sample, highlighted.
    const int line = marker_line(source, QStringLiteral("CRASH-SITE"));
    QVERIFY(line > 0);
    QCOMPARE(w.sourceView()->highlightedLine(), line);
    QVERIFY(w.sourceView()->lineText(line).contains(QStringLiteral("CRASH-SITE")));
  }

  // One click on a caller: its call is highlighted, its CALL-SITE line, its recovered registers.
  void callerFrame() {
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QVERIFY(open_and_wait(w, core_path(QStringLiteral("auto"), QStringLiteral("null_read"))));
    w.stackView()->setFocus();
    QTest::keyClick(w.stackView(), Qt::Key_Down);  // keyboard navigation: frame #1, f2
    QCOMPARE(w.currentFrame(), 1);
    QCOMPARE(w.sourceView()->highlightedLine(), marker_line(QStringLiteral("null_read.c"), QStringLiteral("CALL-SITE f3")));
    QVERIFY(current_instruction(w).startsWith(QStringLiteral("call")));
    QVERIFY(cell(w.disassemblyModel(), w.disassemblyModel()->currentRow(), DisassemblyModel::ColComment).contains(QStringLiteral("f3")));
    int rax = register_row(w, QStringLiteral("rax"));
    QCOMPARE(cell(w.registerModel(), rax, RegisterModel::ColValue), QStringLiteral("<not recovered>"));
    int rip = register_row(w, QStringLiteral("rip"));
    QCOMPARE(cell(w.registerModel(), rip, RegisterModel::ColValue), QString::fromStdString(hex_padded(w.report()->threads[0].frames[1].pc)));

    // Memory: a register opens the hex view, and so does typing its name or a symbol.
    w.showMemory(w.report()->threads[0].frames[1].pc);
    QVERIFY(w.hexView()->model()->targetRow() >= 0);
    QVERIFY(w.hexView()->goTo(QStringLiteral("rsp")));
    QVERIFY(w.hexView()->goTo(QStringLiteral("main")));
    QVERIFY(!w.hexView()->goTo(QStringLiteral("no such thing")));
    QVERIFY(w.backtraceText().contains(QStringLiteral("in f3")));
  }

  void threadsGroupAndFilter() {
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QVERIFY(open_and_wait(w, core_path(QStringLiteral("auto"), QStringLiteral("threads_blocked"))));
    const int crashed = w.currentThread();
    QVERIFY(w.threadFilter()->rowCount() >= 10);
    QTest::keyClicks(w.threadFilterEdit(), QStringLiteral("epoll_wait"));
    QCOMPARE(w.threadFilter()->rowCount(), 1);
    QVERIFY(w.threadFilter()->index(0, ThreadModel::ColTop).data(SearchTextRole).toString().contains(QStringLiteral("worker_epoll")));
    w.threadFilterEdit()->clear();
    w.selectThread(crashed);
    QCOMPARE(w.currentThread(), crashed);
    // Grouping keeps the selected thread selected.
    w.groupThreadsBox()->setChecked(true);
    QVERIFY(w.threadModel()->grouped());
    QCOMPARE(w.currentThread(), crashed);
    QCOMPARE(w.threadView()->currentIndex().data(ThreadIndexRole).toInt(), crashed);
    // Another thread, by keyboard: its stack replaces the crashing one's.
    w.threadView()->setFocus();
    w.threadView()->setCurrentIndex(w.threadFilter()->index(1, 0));
    QVERIFY(w.currentThread() != crashed);
    QVERIFY(w.frameModel()->rowCount() > 0);
  }

  // A damaged file, a text file and a missing one give an error in the window; it stays usable.
  void damagedFiles() {
    QTemporaryDir dir;
    QFile good(core_path(QStringLiteral("auto"), QStringLiteral("null_read")));
    QVERIFY(good.open(QIODevice::ReadOnly));
    QFile truncated(dir.filePath(QStringLiteral("truncated.core")));
    QVERIFY(truncated.open(QIODevice::WriteOnly));
    truncated.write(good.read(40));  // cut inside the ELF header
    truncated.close();
    QFile text(dir.filePath(QStringLiteral("notes.txt")));
    QVERIFY(text.open(QIODevice::WriteOnly));
    text.write("this is not a core dump\n");
    text.close();

    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    for (const QString& path : {truncated.fileName(), text.fileName(), dir.filePath(QStringLiteral("missing.core"))}) {
      QSignalSpy failed(&w, &MainWindow::loadFailed);
      QVERIFY(!open_and_wait(w, path));
      QCOMPARE(failed.count(), 1);
      QVERIFY(w.messageBar()->isVisible());
      QVERIFY2(w.messageBar()->message().contains(QFileInfo(path).fileName()), qPrintable(w.messageBar()->message()));
      QVERIFY(!w.loadingBar()->isVisible());
    }
    QVERIFY(open_and_wait(w, good.fileName()));
    QVERIFY(!w.messageBar()->isVisible());
    QCOMPARE(w.frameModel()->rowCount(), static_cast<int>(w.report()->threads[0].frames.size()));
  }

  void cancelAbandonsTheLoad() {
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QSignalSpy shown(&w, &MainWindow::reportShown);
    w.openFile(core_path(QStringLiteral("auto"), QStringLiteral("threads_blocked")));
    QVERIFY(w.isLoading());
    QVERIFY(w.loadingBar()->isVisible());
    QTest::mouseClick(w.loadingBar()->cancelButton(), Qt::LeftButton);
    QVERIFY(!w.isLoading());
    QVERIFY(!w.loadingBar()->isVisible());
    QTest::qWait(300);
    QCOMPARE(shown.count(), 0);
    QVERIFY(!w.report());
    QVERIFY(open_and_wait(w, core_path(QStringLiteral("auto"), QStringLiteral("null_read"))));
    QCOMPARE(shown.count(), 1);
  }

  // A deadlocked process's core (issue 15): the banner states the deadlock, the Waits pane is in
  // front with a row per blocked thread and who holds what it waits for, and the cycle's threads
  // are marked in the threads list (never grouped away).
  void deadlockCore() {
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QVERIFY(open_and_wait(w, core_path(QStringLiteral("auto"), QStringLiteral("hang_abba"))));
    const Report& r = *w.report();
    QVERIFY(r.analysis.has_value());
    QCOMPARE(r.analysis->classification.category, std::string("deadlock"));
    QCOMPARE(r.analysis->deadlocks.size(), std::size_t{1});
    const auto& cycle = r.analysis->deadlocks.front().threads;
    QString banner = w.banner()->text();
    QVERIFY2(banner.contains(QStringLiteral("Deadlock of 2 threads")), qPrintable(banner));
    for (auto tid : cycle) QVERIFY2(banner.contains(QStringLiteral("thread %1").arg(tid)), qPrintable(banner));
    QVERIFY(w.waitsDock()->isVisibleTo(&w));
    auto* waits = w.waitModel();
    QCOMPARE(waits->rowCount(), static_cast<int>(r.analysis->waits.size()));
    int marked = 0;
    for (int row = 0; row < waits->rowCount(); ++row) {
      const ThreadWait& wait = r.analysis->waits[static_cast<std::size_t>(row)];
      QCOMPARE(cell(waits, row, WaitModel::ColThread), QString::number(wait.tid));
      if (wait.owner_tid) QVERIFY(cell(waits, row, WaitModel::ColHeldBy).contains(QString::number(*wait.owner_tid)));
      bool in_cycle = std::find(cycle.begin(), cycle.end(), wait.tid) != cycle.end();
      QCOMPARE(waits->index(row, 0).data(HighlightRole).toBool(), in_cycle);
      if (in_cycle) {
        QCOMPARE(cell(waits, row, WaitModel::ColKind), QStringLiteral("mutex"));
        QVERIFY(cell(waits, row, WaitModel::ColObject).startsWith(QStringLiteral("lock_")));
      }
    }
    // The threads list: each thread of the cycle on a row of its own, in red with the cycle in its
    // tooltip.
    w.threadModel()->setGrouped(true);
    auto* threads = w.threadModel();
    for (int row = 0; row < threads->rowCount(); ++row) {
      QModelIndex idx = threads->index(row, 0);
      int t = idx.data(ThreadIndexRole).toInt();
      if (t < 0) continue;
      auto tid = r.threads[static_cast<std::size_t>(t)].tid;
      if (std::find(cycle.begin(), cycle.end(), tid) == cycle.end()) continue;
      ++marked;
      QVERIFY(idx.data(Qt::ToolTipRole).toString().contains(QStringLiteral("deadlock")));
      QVERIFY(idx.data(Qt::ForegroundRole).isValid());
    }
    QCOMPARE(marked, static_cast<int>(cycle.size()));
  }

  // A kernel dump opens like a core: the panic in the banner, CPUs as threads, the panicking
  // one selected, the log pane with the oops highlighted, memory and disassembly of kernel text.
  void kernelDump() {
    const QString path = QStringLiteral(CORELENS_KDUMPS_DIR "/vmcore.elf");
    CORELENS_QREQUIRE("kernel", QFileInfo::exists(path),
                      path.toStdString() + " was not made (see the kernel_dumps.make test's output)");
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QVERIFY(open_and_wait(w, path));
    const Report& r = *w.report();
    QVERIFY(r.kernel.has_value());
    QString banner = w.banner()->text();
    QVERIFY2(banner.contains(QStringLiteral("Kernel panic: sysrq triggered crash")), qPrintable(banner));
    QVERIFY2(banner.contains(QStringLiteral("(init)")), qPrintable(banner));
    QVERIFY2(banner.contains(QString::fromStdString(r.kernel->release)), qPrintable(banner));
    QVERIFY(!banner.contains(QStringLiteral("No signal")));
    const ThreadReport& t = r.threads[static_cast<std::size_t>(w.currentThread())];
    QVERIFY(t.crashed);
    QVERIFY(t.name.starts_with("CPU "));
    // The function that panicked, in the banner and selected: not the panic machinery above it.
    QVERIFY2(banner.contains(QStringLiteral("sysrq_handle_crash+0x")), qPrintable(banner));
    QVERIFY(!banner.contains(QStringLiteral("__crash_kexec")));
    QVERIFY(r.kernel->panic_frame.has_value());
    QCOMPARE(w.currentFrame(), static_cast<int>(*r.kernel->panic_frame));
    QCOMPARE(t.frames[static_cast<std::size_t>(w.currentFrame())].function, std::string("sysrq_handle_crash"));
    // A caller frame's registers say which table recovered them, as the stack's column does.
    const QString found_by = w.frameModel()->index(w.currentFrame(), FrameModel::ColTrust).data().toString();
    QCOMPARE(found_by, QStringLiteral("orc"));
    QVERIFY2(w.registerLabel()->text().endsWith(QStringLiteral("(orc)")), qPrintable(w.registerLabel()->text()));
    // The tasks, beside the CPUs: selecting a switched-out one shows its stack as a thread's is
    // shown; selecting the task that panicked shows its CPU's.
    QVERIFY(w.tasksDock()->isVisibleTo(&w));
    QCOMPARE(w.taskModel()->rowCount(), static_cast<int>(r.kernel->tasks.size()));
    const int crashed_thread = w.currentThread();
    int kthreadd = -1, init = -1;
    for (std::size_t i = 0; i < r.kernel->tasks.size(); ++i) {
      if (r.kernel->tasks[i].comm == "kthreadd") kthreadd = static_cast<int>(i);
      if (r.kernel->tasks[i].comm == "init") init = static_cast<int>(i);
    }
    QVERIFY(kthreadd >= 0 && init >= 0);
    w.selectTask(kthreadd);
    QVERIFY(w.currentStack() == StackRef::of_task(kthreadd));
    QCOMPARE(w.currentThread(), -1);
    const KernelTaskReport& kt = r.kernel->tasks[static_cast<std::size_t>(kthreadd)];
    QCOMPARE(w.frameModel()->rowCount(), static_cast<int>(kt.frames.size()));
    QVERIFY(w.frameModel()->index(w.frameModel()->rowCount() - 1, FrameModel::ColFunction).data().toString().startsWith(
        QStringLiteral("ret_from_fork +0x")));
    QCOMPARE(w.currentFrame(), 0);
    QVERIFY(w.registerModel()->rowCount() > 0);
    QVERIFY(w.disassemblyModel()->currentRow() >= 0);  // __schedule's code, read from the dump
    QVERIFY(w.backtraceText().contains(QStringLiteral("ret_from_fork")));
    w.selectTask(init);
    QCOMPARE(w.currentThread(), crashed_thread);
    QCOMPARE(w.currentFrame(), static_cast<int>(*r.kernel->panic_frame));
    // Every task shows the stack Report::task_stack names, where the Report keeps it (no copy),
    // and its frames row for row; a running one selects its CPU's row in the thread view.
    for (std::size_t i = 0; i < r.kernel->tasks.size(); ++i) {
      w.selectTask(static_cast<int>(i));
      const StackReport* expected = r.task_stack(i);
      QVERIFY(expected != nullptr);
      QVERIFY2(w.shownStack() == expected, r.kernel->tasks[i].comm.c_str());
      QCOMPARE(w.frameModel()->rowCount(), static_cast<int>(expected->frames.size()));
      for (std::size_t f = 0; f < expected->frames.size(); ++f) {
        QCOMPARE(w.frameModel()->index(static_cast<int>(f), 0).data(AddressRole).toULongLong(), expected->frames[f].pc);
      }
      if (r.kernel->tasks[i].running_on) {
        QVERIFY(w.currentThread() >= 0);
        QCOMPARE(w.threadView()->currentIndex().data(ThreadIndexRole).toInt(), w.currentThread());
        QCOMPARE(r.threads[static_cast<std::size_t>(w.currentThread())].cpu, r.kernel->tasks[i].running_on);
      }
    }
    // The log pane: the whole log, the panic line highlighted and in view.
    KernelLogView* log = w.kernelLogView();
    QVERIFY(log->isVisible());
    QVERIFY(log->blockCount() >= static_cast<int>(r.kernel->log_records));
    QVERIFY(log->highlightedBlocks() >= 2);
    QVERIFY(log->toPlainText().contains(QStringLiteral("Kernel panic - not syncing: sysrq triggered crash")));
    QVERIFY(log->firstHighlightedBlock() >= 0);
    // Kernel text is read through the dump's page tables: the pc disassembles, and a register
    // opens in the hex view with its bytes.
    QVERIFY2(w.disassemblyModel()->currentRow() >= 0, qPrintable(QString::fromStdString(w.disassemblyModel()->disassembly().error)));
    QVERIFY(w.hexView()->goTo(QStringLiteral("rsp")));
    const int row = w.hexView()->model()->targetRow();
    QVERIFY(row >= 0);
    const QString bytes = w.hexView()->model()->index(row, HexModel::ColHex).data().toString();
    QVERIFY2(!bytes.contains(QStringLiteral("??")), qPrintable(bytes));  // the stack was saved
    QVERIFY(w.hexView()->goTo(QStringLiteral("sysrq_handle_crash")));
    // Opening a user core afterwards hides the log again.
    QVERIFY(open_and_wait(w, core_path(QStringLiteral("auto"), QStringLiteral("null_read"))));
    QVERIFY(!log->isVisible());
  }

  // The Variables pane: the selected frame's arguments and locals, a pointer expanded into what
  // it points to, a watch, the source pane's hover, and the model under its tester.
  void variablesOfTheSelectedFrame() {
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QVERIFY(open_and_wait(w, core_path(QStringLiteral("auto"), QStringLiteral("values_c"))));
    VariableModel* m = w.variablesPane()->model();
    QAbstractItemModelTester tester(m, QAbstractItemModelTester::FailureReportingMode::QtTest);
    auto group = [&](const QString& title) {
      for (int r = 0; r < m->rowCount(); ++r) {
        if (m->index(r, 0).data().toString() == title) return m->index(r, 0);
      }
      return QModelIndex();
    };
    auto value_of = [&](const QModelIndex& parent, const QString& name) {
      for (int r = 0; r < m->rowCount(parent); ++r) {
        if (m->index(r, VariableModel::ColName, parent).data().toString() == name) {
          return m->index(r, VariableModel::ColValue, parent).data().toString();
        }
      }
      return QStringLiteral("(no %1)").arg(name);
    };
    // Frame 0, inspect(r, c, p): the crash.
    QCOMPARE(value_of(group(QStringLiteral("Arguments")), QStringLiteral("c")), QStringLiteral("GREEN"));
    QCOMPARE(value_of(group(QStringLiteral("Locals")), QStringLiteral("local_sum")), QStringLiteral("11"));
    // One click on walk(head, count, limit).
    w.selectFrame(1);
    QModelIndex args = group(QStringLiteral("Arguments"));
    QCOMPARE(value_of(args, QStringLiteral("count")), QStringLiteral("3"));
    QModelIndex head;
    for (int r = 0; r < m->rowCount(args); ++r) {
      if (m->index(r, 0, args).data().toString() == QStringLiteral("head")) head = m->index(r, 0, args);
    }
    QVERIFY(head.isValid());
    QVERIFY(m->hasChildren(head));
    QCOMPARE(m->rowCount(head), 1);  // read when first asked for
    QCOMPARE(m->index(0, 0, head).data().toString(), QStringLiteral("*head"));
    QVERIFY(m->index(0, VariableModel::ColValue, head).data().toString().startsWith(QStringLiteral("{id = 1, ")));
    QVERIFY(m->index(0, 0, head).data(KnownRole).toBool());  // double-click opens its memory
    // A watch, evaluated in this frame and in the next one selected.
    w.variablesPane()->watchLine()->setText(QStringLiteral("head->next->id"));
    QTest::keyClick(w.variablesPane()->watchLine(), Qt::Key_Return);
    QCOMPARE(value_of(group(QStringLiteral("Watch")), QStringLiteral("head->next->id")), QStringLiteral("2"));
    w.selectFrame(0);
    QVERIFY(value_of(group(QStringLiteral("Watch")), QStringLiteral("head->next->id")).contains(QStringLiteral("No symbol")) ||
            m->index(0, VariableModel::ColValue, group(QStringLiteral("Watch"))).data().toString().startsWith(QStringLiteral("<")));
    // Hovering a name in the source: its value in the selected frame.
    w.selectFrame(2);
    QCOMPARE(w.hoverValue(QStringLiteral("seed")), QStringLiteral("seed = 41\n(int)"));
    QVERIFY(w.hoverValue(QStringLiteral("return")).isEmpty());
  }

  // The loading bar follows the library's own progress reports, stage by stage.
  void progressIsShown() {
    MainWindow w;
    w.setRememberLayout(false);
    w.show();
    QSignalSpy progress(w.loader(), &SessionLoader::progress);
    QStringList texts;
    connect(w.loader(), &SessionLoader::progress, this, [&] { texts << w.loadingBar()->text(); });
    QVERIFY(open_and_wait(w, core_path(QStringLiteral("auto"), QStringLiteral("threads_blocked"))));
    QVERIFY(progress.count() >= 3);
    QStringList stages;
    for (const auto& args : progress) stages << args.at(0).toString();
    QVERIFY2(stages.contains(QStringLiteral("unwinding threads")), qPrintable(stages.join(QStringLiteral(", "))));
    bool counted = false;
    for (const QString& t : texts) counted |= t.contains(QStringLiteral("unwinding threads (")) && t.contains(QStringLiteral(" of "));
    QVERIFY2(counted, qPrintable(texts.join(QStringLiteral("\n"))));
  }

  void exports() {
    MainWindow w;
    w.setRememberLayout(false);
    QVERIFY(open_and_wait(w, core_path(QStringLiteral("auto"), QStringLiteral("null_read"))));
    QTemporaryDir dir;
    QVERIFY(w.exportReport(dir.filePath(QStringLiteral("r.json")), QStringLiteral("json")));
    QVERIFY(w.exportReport(dir.filePath(QStringLiteral("r.md")), QStringLiteral("markdown")));
    QFile json(dir.filePath(QStringLiteral("r.json")));
    QVERIFY(json.open(QIODevice::ReadOnly));
    QJsonParseError error{};
    QJsonDocument doc = QJsonDocument::fromJson(json.readAll(), &error);
    QVERIFY2(!doc.isNull(), qPrintable(error.errorString()));
    QFile md(dir.filePath(QStringLiteral("r.md")));
    QVERIFY(md.open(QIODevice::ReadOnly));
    QVERIFY(md.readAll().contains("in f3"));
  }

  void screenshot() {
    QTemporaryDir dir;
    const QString png = dir.filePath(QStringLiteral("shot.png"));
    QProcess p;
    p.start(QStringLiteral(CORELENS_GUI_EXE), {core_path(QStringLiteral("auto"), QStringLiteral("null_read")), QStringLiteral("--screenshot"), png});
    QVERIFY(p.waitForFinished(kLoadTimeoutMs));
    QCOMPARE(p.exitCode(), 0);
    QImage image(png);
    QVERIFY(!image.isNull());
    QVERIFY(image.width() >= 800 && image.height() >= 600);
    QVERIFY(QFileInfo(png).size() < 300 * 1024);

    // A file that is not a dump: the window (with the error) is still rendered, exit status 1.
    p.start(QStringLiteral(CORELENS_GUI_EXE), {QStringLiteral(CORELENS_SAMPLES_SOURCE_DIR "/null_read.c"), QStringLiteral("--screenshot"), png});
    QVERIFY(p.waitForFinished(kLoadTimeoutMs));
    QCOMPARE(p.exitCode(), 1);
    p.start(QStringLiteral(CORELENS_GUI_EXE), {QStringLiteral("--bogus")});
    QVERIFY(p.waitForFinished(kLoadTimeoutMs));
    QCOMPARE(p.exitCode(), 64);
  }

 private:
  // "f3" for "f3", "extract_field" for "extract_field(Record const*)".
  static std::string comparable(const std::string& function) { return function.substr(0, function.find('(')); }
};

CORELENS_QTEST_MAIN(WindowTest)
#include "window_test.moc"
