// Every model of the GUI under QAbstractItemModelTester, on a hand-built Report and on real
// sample cores; and the Qt-free pieces the models use (address annotation, disassembly).
#include <QAbstractItemModelTester>
#include <QSortFilterProxyModel>
#include <QStandardPaths>
#include <QtTest>
#include <QProcess>
#include <cstring>
#include <fstream>
#include <map>

#include "core/report/address_annotator.hpp"
#include "core/report/crash_summary.hpp"
#include "core/report/markdown_report.hpp"
#include "gui/code_models.hpp"
#include "gui/frame_model.hpp"
#include "gui/register_model.hpp"
#include "gui/session_loader.hpp"
#include "gui/source_view.hpp"
#include "gui/table_models.hpp"
#include "gui/task_model.hpp"
#include "gui/thread_model.hpp"
#include "tests/gui/gui_test_support.hpp"
#include "unwinder/pipeline/session.hpp"

using namespace corelens;
using namespace corelens::gui;
using corelens::gui::testing::core_path;
using corelens::gui::testing::synthetic_report;

namespace {

// Memory made of byte ranges, for the disassembler; a read straddling a range's end fails as a
// whole and names the range's start, as ModuleBackedMemory can.
class FakeMemory final : public MemorySource {
 public:
  void add(std::uint64_t at, std::vector<std::uint8_t> bytes) { ranges_[at] = std::move(bytes); }
  Result<void> read(std::uint64_t addr, std::span<std::byte> out) const override {
    for (const auto& [start, bytes] : ranges_) {
      if (addr >= start && addr + out.size() <= start + bytes.size()) {
        std::memcpy(out.data(), bytes.data() + (addr - start), out.size());
        return {};
      }
      if (addr >= start && addr < start + bytes.size()) return fail(ErrorCode::not_saved, "straddles", start);
    }
    return fail(ErrorCode::not_mapped, "not mapped", addr);
  }

 private:
  std::map<std::uint64_t, std::vector<std::uint8_t>> ranges_;
};

ReportPtr make_synthetic() { return std::make_shared<const Report>(synthetic_report()); }

SessionPtr open_sample(const char* sample) {
  AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  auto s = open_session(core_path(QStringLiteral("auto"), QString::fromLatin1(sample)).toStdString(), options);
  if (!s) qWarning("%s: %s", sample, s.error().describe().c_str());
  return s ? *s : nullptr;
}

}  // namespace

class ModelTest : public QObject {
  Q_OBJECT
 private slots:
  void initTestCase() { QStandardPaths::setTestModeEnabled(true); }

  void threadModelFlatAndGrouped() {
    ThreadModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    ThreadFilterModel filter;
    filter.setSourceModel(&model);
    QAbstractItemModelTester filter_tester(&filter, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    model.setReport(make_synthetic());
    QCOMPARE(model.rowCount(), 5);
    QCOMPARE(model.index(0, ThreadModel::ColThread).data().toString(), QStringLiteral("100"));
    QVERIFY(model.index(0, 0).data(HighlightRole).toBool());
    QCOMPARE(model.index(4, ThreadModel::ColTop).data().toString(), QStringLiteral("(no frames)"));

    model.setGrouped(true);
    // The crashing thread, the three identical workers as one group, the empty thread.
    QCOMPARE(model.rowCount(), 3);
    QModelIndex group = model.index(1, 0);
    QCOMPARE(group.data().toString(), QStringLiteral("3 threads"));
    QCOMPARE(model.index(1, ThreadModel::ColTop).data().toString(), QStringLiteral("epoll_wait"));
    QCOMPARE(model.rowCount(group), 3);
    QCOMPARE(model.index(2, ThreadModel::ColThread, group).data().toString(), QStringLiteral("103"));
    QModelIndex child = model.indexForThread(3);
    QCOMPARE(child.parent(), group);
    QCOMPARE(child.data(ThreadIndexRole).toInt(), 3);

    filter.setFilterFixedString(QStringLiteral("worker_loop"));  // a function deeper in the stack
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.rowCount(filter.index(0, 0)), 3);
    filter.setFilterFixedString(QStringLiteral("102"));
    QCOMPARE(filter.rowCount(), 1);
    QCOMPARE(filter.rowCount(filter.index(0, 0)), 1);
    filter.setFilterFixedString(QString());
    model.setGrouped(false);
    QCOMPARE(filter.rowCount(), 5);
    model.setReport(nullptr);
    QCOMPARE(model.rowCount(), 0);
  }

  void frameAndRegisterModels() {
    ReportPtr report = make_synthetic();
    auto annotator = std::make_shared<const AddressAnnotator>(report.get());
    FrameModel frames;
    QAbstractItemModelTester t1(&frames, QAbstractItemModelTester::FailureReportingMode::QtTest);
    frames.setStack(report, StackRef::of_thread(0));
    QCOMPARE(frames.rowCount(), 2);
    QCOMPARE(frames.index(0, FrameModel::ColFunction).data().toString(), QStringLiteral("handle +0x4"));
    QCOMPARE(frames.index(1, FrameModel::ColLocation).data().toString(), QStringLiteral("server.c:11"));
    QCOMPARE(frames.index(1, FrameModel::ColTrust).data().toString(), QStringLiteral("cfi"));
    frames.setHighlightedFrame(1);
    QVERIFY(frames.index(1, 0).data(HighlightRole).toBool());
    frames.setStack(report, StackRef::of_thread(4));  // no frames
    QCOMPARE(frames.rowCount(), 0);
    frames.setStack(report, StackRef::of_thread(99));
    QCOMPARE(frames.rowCount(), 0);
    QVERIFY(frames.shown() == nullptr);
    frames.setStack(report, StackRef::of_task(0));  // a user core has no tasks
    QCOMPARE(frames.rowCount(), 0);

    RegisterModel regs;
    QAbstractItemModelTester t2(&regs, QAbstractItemModelTester::FailureReportingMode::QtTest);
    regs.setFrame(report, StackRef::of_thread(0), 0, annotator);
    QCOMPARE(regs.rowCount(), 4);
    QCOMPARE(regs.index(1, RegisterModel::ColName).data().toString(), QStringLiteral("rbx"));
    QCOMPARE(regs.index(1, RegisterModel::ColPointsTo).data().toString(), QStringLiteral("heap"));
    QCOMPARE(regs.index(2, RegisterModel::ColPointsTo).data().toString(), QStringLiteral("server+0x1004"));
    QCOMPARE(regs.index(3, RegisterModel::ColPointsTo).data().toString(), QStringLiteral("stack of thread 100"));
    // A caller: rip and rsp were recovered; rax and rbx are unknown, never frame 0's values.
    regs.setFrame(report, StackRef::of_thread(0), 1, annotator);
    QCOMPARE(regs.rowCount(), 4);
    QVERIFY(!regs.index(0, RegisterModel::ColValue).data(KnownRole).toBool());
    QCOMPARE(regs.index(0, RegisterModel::ColValue).data().toString(), QStringLiteral("<not recovered>"));
    QVERIFY(regs.index(2, RegisterModel::ColValue).data(KnownRole).toBool());
    QCOMPARE(regs.index(2, RegisterModel::ColValue).data().toString(), QStringLiteral("0x0000555555555104"));
    regs.clear();
    QCOMPARE(regs.rowCount(), 0);
  }

  // A kernel dump's tasks: ps's columns, kernel threads in brackets, the running task's stack
  // is its CPU's thread, a switched-out one's its own, both where the Report keeps them.
  void taskModel() {
    Report r;
    r.dump_kind = "kernel-dump";
    r.arch = "x86_64";
    KernelReport k;
    k.cpus.resize(2);
    k.cpus[0].cpu = 1;
    k.cpus[1].cpu = 0;
    k.panic_pid = 1;
    auto task = [](std::int32_t pid, const char* comm, char state, std::optional<std::uint32_t> running, bool kthread) {
      KernelTaskReport t;
      t.pid = t.tgid = pid;
      t.comm = comm;
      t.state = state;
      t.cpu = running.value_or(0);
      t.running_on = running;
      t.kernel_thread = kthread;
      return t;
    };
    k.tasks = {task(0, "swapper/0", 'R', 0, true), task(1, "init", 'R', 1, false), task(2, "kthreadd", 'S', std::nullopt, true),
               task(93, "sleep", 'S', std::nullopt, false)};
    Frame f0;
    f0.pc = 0xffffffff81852e2a;
    f0.sp = 0xffffc90000153e28;
    f0.function = "__schedule";
    f0.oops_symbol = "__schedule+0x25a/0xa00";
    f0.stack_area = "task";
    Frame f1 = f0;
    f1.index = 1;
    f1.function = "kthreadd";
    f1.oops_symbol = "kthreadd+0x1a/0x100";
    f1.trust = FrameTrust::cfi;
    f1.origin = FrameOrigin::orc;
    f1.registers = {Register{"rip", 0xffffffff810cd41a}};
    k.tasks[2].frames = {f0, f1};
    k.tasks[2].wchan = "kthreadd";
    k.tasks[2].unwind = UnwindStatus::done();
    k.tasks[3].unwind = UnwindStatus::stopped(StopReason::missing_memory, "cannot read the return address at 0x1000");
    r.kernel = k;
    for (std::uint32_t cpu : {1u, 0u}) {
      ThreadReport t;
      t.name = "CPU " + std::to_string(cpu);
      t.cpu = cpu;
      r.threads.push_back(t);
    }
    r.threads[0].crashed = true;
    auto report = std::make_shared<const Report>(r);

    TaskModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QCOMPARE(model.rowCount(), 0);
    model.setReport(report);
    QCOMPARE(model.rowCount(), 4);
    QCOMPARE(model.columnCount(), static_cast<int>(TaskModel::ColCount));
    QCOMPARE(model.index(2, TaskModel::ColCommand).data().toString(), QStringLiteral("[kthreadd]"));
    QCOMPARE(model.index(3, TaskModel::ColCommand).data().toString(), QStringLiteral("sleep"));
    QCOMPARE(model.index(2, TaskModel::ColState).data().toString(), QStringLiteral("S"));
    QCOMPARE(model.index(2, TaskModel::ColWaiting).data().toString(), QStringLiteral("kthreadd"));
    QCOMPARE(model.index(1, TaskModel::ColWaiting).data().toString(), QStringLiteral("running on CPU 1"));
    QVERIFY(model.index(1, 0).data(HighlightRole).toBool());  // the task that panicked
    QVERIFY(!model.index(2, 0).data(HighlightRole).toBool());
    QVERIFY(model.index(3, TaskModel::ColWaiting).data(Qt::ToolTipRole).toString().contains(QStringLiteral("incomplete")));
    // Which stack: init runs on CPU 1 (thread 0), swapper/0 on CPU 0 (thread 1), by the threads'
    // cpu, never their names; kthreadd's is its own. Each is the one Report::task_stack names.
    QCOMPARE(model.index(2, 0).data(TaskIndexRole).toInt(), 2);
    r.threads[0].name = r.threads[1].name = "CPU ?";
    report = std::make_shared<const Report>(r);
    model.setReport(report);
    QVERIFY(task_stack_ref(*report, 1) == StackRef::of_thread(0));
    QVERIFY(task_stack_ref(*report, 0) == StackRef::of_thread(1));
    QVERIFY(task_stack_ref(*report, 2) == StackRef::of_task(2));
    QVERIFY(task_stack_ref(*report, 4) == StackRef{});
    for (std::size_t i = 0; i < 4; ++i) QVERIFY(stack_of(*report, task_stack_ref(*report, i)) == report->task_stack(i));
    const StackOwner kthreadd = stack_owner(*report, StackRef::of_task(2));
    QVERIFY(kthreadd.task);
    QCOMPARE(kthreadd.id, 2);
    QCOMPARE(kthreadd.name, std::string("[kthreadd]"));
    QVERIFY(!kthreadd.crashed);
    // Frame 0's registers (none recovered here: its pc and sp), for the register view.
    const std::vector<Register> regs = innermost_registers(*report, StackRef::of_task(2));
    QCOMPARE(regs.size(), std::size_t{2});
    QCOMPARE(regs[0].value, f0.pc);
    QCOMPARE(regs[1].value, *f0.sp);
    QCOMPARE(regs[0].name, std::string_view("rip"));
    QCOMPARE(regs[1].name, std::string_view("rsp"));
    {  // named as the dump's architecture names them: an arm64 kernel's are pc and sp
      Report arm64 = *report;
      arm64.arch = "aarch64";
      const std::vector<Register> named = innermost_registers(arm64, StackRef::of_task(2));
      QCOMPARE(named.size(), std::size_t{2});
      QCOMPARE(named[0].name, std::string_view("pc"));
      QCOMPARE(named[1].name, std::string_view("sp"));
    }
    FrameModel frames;
    QAbstractItemModelTester frame_tester(&frames, QAbstractItemModelTester::FailureReportingMode::QtTest);
    frames.setStack(report, StackRef::of_task(2));
    QVERIFY(frames.shown() == &report->kernel->tasks[2]);  // the Report's own, not a copy
    QCOMPARE(frames.rowCount(), 2);
    QCOMPARE(frames.index(1, FrameModel::ColFunction).data().toString(), QStringLiteral("kthreadd"));
    QCOMPARE(frames.index(1, FrameModel::ColTrust).data().toString(), QStringLiteral("orc"));  // which table found it
    // Sorted and filtered as the window does: by pid numerically, by any function on the stack.
    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&model);
    proxy.setSortRole(SortRole);
    proxy.setFilterRole(SearchTextRole);
    proxy.setFilterCaseSensitivity(Qt::CaseInsensitive);
    QAbstractItemModelTester proxy_tester(&proxy, QAbstractItemModelTester::FailureReportingMode::QtTest);
    proxy.sort(TaskModel::ColPid, Qt::DescendingOrder);
    QCOMPARE(proxy.index(0, TaskModel::ColPid).data().toInt(), 93);
    proxy.setFilterFixedString(QStringLiteral("__SCHEDULE"));
    QCOMPARE(proxy.rowCount(), 1);
    QCOMPARE(proxy.index(0, TaskModel::ColPid).data().toInt(), 2);
    // A user core has no tasks: nothing is added.
    ReportPtr user = make_synthetic();
    QVERIFY(task_stack_ref(*user, 0) == StackRef{});
    model.setReport(user);
    QCOMPARE(model.rowCount(), 0);
  }

  void tableModels() {
    ReportPtr report = make_synthetic();
    auto annotator = std::make_shared<const AddressAnnotator>(report.get());
    MappingModel maps;
    ModuleModel modules;
    DiagnosticModel diags;
    NoteModel notes;
    QAbstractItemModelTester t1(&maps, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&modules, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t3(&diags, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t4(&notes, QAbstractItemModelTester::FailureReportingMode::QtTest);
    maps.setReport(report, annotator);
    modules.setReport(report, annotator);
    diags.setReport(report, annotator);
    notes.setReport(report, annotator);
    QCOMPARE(maps.rowCount(), 5);
    QCOMPARE(maps.index(0, MappingModel::ColSaved).data().toString(), QStringLiteral("not saved"));
    QCOMPARE(maps.index(1, MappingModel::ColFile).data().toString(), QStringLiteral("[heap]"));
    QCOMPARE(maps.index(3, MappingModel::ColFile).data().toString(), QStringLiteral("[stack of thread 101]"));
    QCOMPARE(maps.index(1, MappingModel::ColSize).data(SortRole).toULongLong(), 0x21000ull);
    QCOMPARE(modules.rowCount(), 2);
    QCOMPARE(modules.index(1, ModuleModel::ColSymbols).data().toString(), QStringLiteral("mismatch"));
    QVERIFY(modules.index(1, 0).data(HighlightRole).toBool());
    QVERIFY(modules.index(1, ModuleModel::ColSymbols).data(Qt::ForegroundRole).isValid());
    QCOMPARE(diags.rowCount(), 2);
    QCOMPARE(diags.index(0, DiagnosticModel::ColCode).data().toString(), QStringLiteral("module-build-id-mismatch"));
    QCOMPARE(notes.rowCount(), 2);
    QCOMPARE(notes.index(1, NoteModel::ColType).data().toString(), QStringLiteral("0x4d"));
    maps.setReport(nullptr);
    QCOMPARE(maps.rowCount(), 0);

    QSortFilterProxyModel proxy;
    proxy.setSourceModel(&maps);
    maps.setReport(report, annotator);
    proxy.setSortRole(SortRole);
    proxy.setFilterRole(SearchTextRole);
    proxy.setFilterFixedString(QStringLiteral("heap"));
    QCOMPARE(proxy.rowCount(), 1);
  }

  void disassemblerAndModel() {
    // push rbp; mov rbp, rsp; mov rax, [rbp-8]; mov eax, [rax]; pop rbp; ret; call +0
    FakeMemory mem;
    const std::uint64_t base = 0x555555555000;
    mem.add(base, {0x55, 0x48, 0x89, 0xe5, 0x48, 0x8b, 0x45, 0xf8, 0x8b, 0x00, 0x5d, 0xc3, 0xe8, 0xef, 0xff, 0xff, 0xff});
    DisassemblyRequest req;
    req.arch = "x86_64";
    req.pc = base + 8;
    req.highlight = base + 8;
    req.function_start = base;
    Disassembly d = disassemble(mem, req);
    QVERIFY2(d.error.empty(), d.error.c_str());
    QCOMPARE(d.instructions.front().address, base);
    QVERIFY(d.current >= 0);
    QCOMPARE(QString::fromStdString(d.instructions[static_cast<std::size_t>(d.current)].mnemonic), QStringLiteral("mov"));
    QCOMPARE(QString::fromStdString(d.instructions[static_cast<std::size_t>(d.current)].operands), QStringLiteral("eax, dword ptr [rax]"));
    QCOMPARE(d.instructions.back().mnemonic, std::string("call"));
    QCOMPARE(*d.instructions.back().target, base);

    // Without the function start, from a guessed window; and a pc nobody can read.
    req.function_start.reset();
    d = disassemble(mem, req);
    QVERIFY(d.current >= 0);
    QCOMPARE(d.instructions[static_cast<std::size_t>(d.current)].address, base + 8);
    req.pc = req.highlight = 0x1000;
    d = disassemble(mem, req);
    QVERIFY(d.instructions.empty());
    QVERIFY(!d.error.empty());

    ReportPtr report = make_synthetic();
    auto annotator = std::make_shared<const AddressAnnotator>(report.get());
    DisassemblyModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    req.pc = req.highlight = base + 8;
    req.function_start = base;
    model.setDisassembly(disassemble(mem, req), true, annotator);
    QCOMPARE(model.rowCount(), 7);
    QCOMPARE(model.index(model.currentRow(), DisassemblyModel::ColMarker).data().toString(), QStringLiteral("⇒"));
    QVERIFY(model.index(model.currentRow(), 0).data(Qt::BackgroundRole).isValid());
    QCOMPARE(model.index(6, DisassemblyModel::ColComment).data().toString(), QStringLiteral("→ server+0x1000"));
    model.clear();
    QCOMPARE(model.rowCount(), 0);
  }

  void hexModel() {
    FakeMemory mem;
    mem.add(0x1000, std::vector<std::uint8_t>(0x20, 0x41));
    HexModel model;
    QAbstractItemModelTester tester(&model, QAbstractItemModelTester::FailureReportingMode::QtTest);
    model.setSource(nullptr, &mem);
    model.showAddress(0x1008, 8);
    QCOMPARE(model.rowCount(), 8);
    int row = model.targetRow();
    QVERIFY(row >= 0);
    QCOMPARE(model.index(row, HexModel::ColAddress).data().toString(), QStringLiteral("0x0000000000001000"));
    QVERIFY(model.index(row, HexModel::ColHex).data().toString().startsWith(QStringLiteral("41 41")));
    QCOMPARE(model.index(row, HexModel::ColAscii).data().toString(), QStringLiteral("AAAAAAAAAAAAAAAA"));
    QVERIFY(model.index(row + 2, HexModel::ColHex).data().toString().startsWith(QStringLiteral("??")));
    model.showAddress(~std::uint64_t{0}, 8);  // the top of the address space: no overflow
    QVERIFY(model.rowCount() >= 1);
    model.setSource(nullptr, nullptr);
    QCOMPARE(model.rowCount(), 0);
  }

  void summaryAndMarkdown() {
    Report r = synthetic_report();
    CrashSummary s = summarize(r);
    QCOMPARE(QString::fromStdString(s.signal), QStringLiteral("SIGSEGV (Segmentation fault)"));
    QCOMPARE(QString::fromStdString(s.address), QStringLiteral("fault address 0x10"));
    QVERIFY(QString::fromStdString(s.location).startsWith(QStringLiteral("handle at server.c:10")));
    std::string md = report_to_markdown(r);
    QVERIFY(md.find("# Crash: SIGSEGV") != std::string::npos);
    QVERIFY(md.find("## Modules without symbols") != std::string::npos);
    Report empty;
    QVERIFY(!report_to_markdown(empty).empty());
    QCOMPARE(QString::fromStdString(summarize(empty).signal), QStringLiteral("No signal recorded"));
  }

  // Relative source paths are found under the compilation directory, never under the GUI's own
  // working directory, and the rules map build paths (absolute or relative) to local ones.
  void sourcePathMap() {
    QTemporaryDir tmp;
    QVERIFY(QDir(tmp.path()).mkpath(QStringLiteral("build/src")));
    QVERIFY(QDir(tmp.path()).mkpath(QStringLiteral("build/sub")));
    const QString build = tmp.filePath(QStringLiteral("build"));
    QFile f(build + QStringLiteral("/src/a.c"));
    QVERIFY(f.open(QIODevice::WriteOnly));
    f.close();
    const QString want = build + QStringLiteral("/src/a.c");
    const QString old_cwd = QDir::currentPath();
    QVERIFY(QDir::setCurrent(build));  // src/a.c exists relative to the cwd: it must not count
    SourcePathMap none;
    QCOMPARE(none.resolve(QStringLiteral("src/a.c"), build), want);
    QCOMPARE(none.resolve(QStringLiteral("./src/../src/a.c"), build), want);
    QCOMPARE(none.resolve(QStringLiteral("src/a.c")), QString());
    QCOMPARE(none.resolve(QStringLiteral("src/a.c"), QStringLiteral("relative/dir")), QString());
    QCOMPARE(none.resolve(want), want);
    QCOMPARE(none.resolve(QStringLiteral("/nonexistent/build/src/a.c")), QString());
    SourcePathMap map = SourcePathMap::fromText(QStringLiteral("/nonexistent/build => %1\n./ => %1/\nbad line\n").arg(build));
    QCOMPARE(map.rules.size(), 2);
    QCOMPARE(map.resolve(QStringLiteral("/nonexistent/build/src/a.c")), want);
    QCOMPARE(map.resolve(QStringLiteral("src/a.c"), QStringLiteral("/nonexistent/build")), want);
    QCOMPARE(map.resolve(QStringLiteral("./src/a.c")), want);  // a rule on the relative form
    QCOMPARE(SourcePathMap::fromText(QStringLiteral("/nonexistent/build => relative")).resolve(
                 QStringLiteral("/nonexistent/build/src/a.c")), QString());
    // Debian's glibc: the build directory mapped to ".", names relative to the unit's directory
    // ("../sysdeps/posix/raise.c" in "./signal") or already joined with it ("./nptl/x.c" in "./nptl").
    SourcePathMap dot = SourcePathMap::fromText(QStringLiteral("./ => %1/").arg(build));
    QCOMPARE(dot.resolve(QStringLiteral("../src/a.c"), QStringLiteral("./sub")), want);
    QCOMPARE(dot.resolve(QStringLiteral("./src/a.c"), QStringLiteral("./src")), want);
    QCOMPARE(none.resolve(QStringLiteral("../src/a.c"), QStringLiteral("./sub")), QString());
    QCOMPARE(SourcePathMap::fromText(map.toText()).rules, map.rules);
    QVERIFY(QDir::setCurrent(old_cwd));
  }

  // The disassembly pane on the cores of every other architecture (the cross_cores fixture):
  // the instruction it marks as faulting is the one gdb-multiarch shows at the pc, and the pane
  // decodes the function around it. An architecture whose toolchain is not installed here has no
  // `built` list: a failure, or a skip when CORELENS_SKIP names cross.
  void crossArchDisassembly_data() {
    QTest::addColumn<QString>("arch");
    QTest::addColumn<QString>("triple");
    QTest::newRow("aarch64") << QStringLiteral("aarch64") << QStringLiteral("aarch64-linux-gnu");
    QTest::newRow("arm") << QStringLiteral("arm") << QStringLiteral("arm-linux-gnueabihf");
    QTest::newRow("i386") << QStringLiteral("i386") << QStringLiteral("i686-linux-gnu");
    QTest::newRow("ppc64le") << QStringLiteral("ppc64le") << QStringLiteral("powerpc64le-linux-gnu");
    QTest::newRow("s390x") << QStringLiteral("s390x") << QStringLiteral("s390x-linux-gnu");
  }
  void crossArchDisassembly() {
    QFETCH(QString, arch);
    QFETCH(QString, triple);
    const std::string dir = std::string(CORELENS_CORES_DIR) + "/cross/" + arch.toStdString();
    std::ifstream built(dir + "/built");
    bool has_null_read = false;
    for (std::string line; std::getline(built, line);) has_null_read |= line == "null_read";
    CORELENS_QREQUIRE("cross", has_null_read,
                      "no " + arch.toStdString() + " null_read core (see the cross_cores.make test's output: its cross toolchain or qemu-user is missing)");
    AnalyzeOptions options;
    options.locator.sysroot = "/usr/" + triple.toStdString();
    options.locator.executable = dir + "/null_read";
    auto opened = open_session(dir + "/null_read.core", options);
    QVERIFY2(opened, opened ? "" : opened.error().describe().c_str());
    SessionPtr session = *opened;
    const Report& report = session->report();
    const ThreadReport& t = report.threads[crashed_thread(report)];
    QVERIFY(!t.frames.empty());
    const Frame& f = t.frames[0];
    DisassemblyRequest req{report.arch, f.pc, f.pc, f.lookup_pc - f.function_offset, 12, 12, &t.registers};
    Disassembly d = disassemble(session->memory(), req);
    QVERIFY2(d.error.empty(), d.error.c_str());
    QVERIFY(d.current >= 0);
    // Decoded from the function's start: more than the faulting instruction alone.
    QCOMPARE(d.instructions.front().address, f.lookup_pc - f.function_offset);
    QVERIFY(d.instructions.size() > 2);
    const Instruction& ours = d.instructions[static_cast<std::size_t>(d.current)];
    QCOMPARE(ours.address, f.pc);

    // gdb-multiarch's "=> 0x...  <fn+N>:\tmnemonic\toperands" (Intel syntax for i386).
    QProcess gdb;
    gdb.start(QStringLiteral("gdb-multiarch"),
              {QStringLiteral("-batch"), QStringLiteral("-nx"), QStringLiteral("-iex"), QStringLiteral("set sysroot /usr/") + triple,
               QStringLiteral("-ex"), QStringLiteral("set disassembly-flavor intel"), QStringLiteral("-ex"), QStringLiteral("x/i $pc"),
               QString::fromStdString(dir + "/null_read"), QString::fromStdString(dir + "/null_read.core")});
    CORELENS_QREQUIRE("cross", gdb.waitForStarted(), "gdb-multiarch is not installed (Debian package gdb-multiarch)");
    QVERIFY(gdb.waitForFinished(120000));
    const QString out = QString::fromUtf8(gdb.readAllStandardOutput());
    static const QRegularExpression line(QStringLiteral("=> 0x([0-9a-f]+)[^:]*:\\s+(\\S+)"));
    const QRegularExpressionMatch m = line.match(out);
    QVERIFY2(m.hasMatch(), qPrintable(out));
    QCOMPARE(m.captured(1).toULongLong(nullptr, 16), f.pc);
    QCOMPARE(QString::fromStdString(ours.mnemonic), m.captured(2));

    // The stack pane's pc is as wide as the dump's addresses: 8 hex digits on a 32-bit dump, as
    // gdb's backtrace writes them there (16 had eight zeros in front).
    FrameModel frames;
    frames.setStack(ReportPtr(session, &report), StackRef::of_thread(static_cast<int>(crashed_thread(report))));
    const int digits = arch == QLatin1String("i386") || arch == QLatin1String("arm") ? 8 : 16;
    QCOMPARE(frames.index(0, FrameModel::ColAddress).data().toString(),
             QStringLiteral("0x%1").arg(f.pc, digits, 16, QLatin1Char('0')));
  }

  // The models over real sample cores, including the runaway recursion's deep stack.
  void realCores_data() {
    QTest::addColumn<QString>("sample");
    for (const char* s : {"null_read", "threads_blocked", "inlined_o2", "stack_overflow", "uncaught_exception"}) {
      QTest::newRow(s) << QString::fromLatin1(s);
    }
  }
  void realCores() {
    QFETCH(QString, sample);
    SessionPtr session = open_sample(sample.toLatin1().constData());
    QVERIFY(session);
    ReportPtr report(session, &session->report());
    auto annotator = std::make_shared<const AddressAnnotator>(report.get());
    ThreadModel threads;
    FrameModel frames;
    RegisterModel regs;
    MappingModel maps;
    ModuleModel modules;
    DisassemblyModel dis;
    HexModel hex;
    QAbstractItemModelTester t1(&threads, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t2(&frames, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t3(&regs, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t4(&maps, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t5(&modules, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t6(&dis, QAbstractItemModelTester::FailureReportingMode::QtTest);
    QAbstractItemModelTester t7(&hex, QAbstractItemModelTester::FailureReportingMode::QtTest);
    threads.setReport(report);
    threads.setGrouped(true);
    maps.setReport(report, annotator);
    modules.setReport(report, annotator);
    hex.setSource(session, &session->memory());
    const int crashed = static_cast<int>(crashed_thread(*report));
    frames.setStack(report, StackRef::of_thread(crashed));
    QVERIFY(frames.rowCount() > 0);
    regs.setFrame(report, StackRef::of_thread(crashed), 0, annotator);
    QCOMPARE(regs.rowCount(), static_cast<int>(report->threads[static_cast<std::size_t>(crashed)].registers.size()));
    const Frame& f = report->threads[static_cast<std::size_t>(crashed)].frames[0];
    DisassemblyRequest req{report->arch, f.pc, f.pc, f.lookup_pc - f.function_offset, 12, 12};
    dis.setDisassembly(disassemble(session->memory(), req), true, annotator);
    QVERIFY(dis.currentRow() >= 0);
    hex.showAddress(*stack_pointer(report->threads[static_cast<std::size_t>(crashed)].registers));
    // The stack pointer's bytes are in the dump; stack_overflow's sp is in the guard gap below
    // its stack, where nothing is mapped.
    const QString bytes = hex.index(hex.targetRow(), HexModel::ColHex).data().toString();
    QCOMPARE(bytes.contains(QStringLiteral("??")), sample == QLatin1String("stack_overflow"));
  }
};

CORELENS_QTEST_MAIN(ModelTest)
#include "model_test.moc"
