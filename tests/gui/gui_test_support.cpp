#include "tests/gui/gui_test_support.hpp"

#include <QFile>
#include <QRegularExpression>
#include <QTemporaryFile>
#include <QTextStream>
#include <QtTest>

#include <cstring>
#include <vector>

namespace corelens::gui::testing {

int exec_reporting_skips(QObject* test, int argc, char** argv) {
  // A second logger, in plain text, to a file read back for "SKIP   : " lines (QtTest says how
  // many it skipped nowhere else); the first keeps the usual output on stdout. A caller's own -o
  // replaces both, and then skips are not counted.
  std::vector<char*> args(argv, argv + argc);
  bool own_output = false;
  for (int i = 1; i < argc; ++i) own_output |= std::strcmp(argv[i], "-o") == 0;
  QTemporaryFile log;
  if (own_output || !log.open()) return QTest::qExec(test, argc, argv);
  QByteArray to_stdout = "-,txt", to_log = log.fileName().toLocal8Bit() + ",txt";
  char dash_o[] = "-o";
  for (char* a : {dash_o, to_stdout.data(), dash_o, to_log.data()}) args.push_back(a);
  int failures = QTest::qExec(test, static_cast<int>(args.size()), args.data());
  if (failures != 0) return failures;
  QFile written(log.fileName());
  if (!written.open(QIODevice::ReadOnly)) return 1;
  QTextStream in(&written);
  while (!in.atEnd()) {
    if (in.readLine().startsWith(QStringLiteral("SKIP   : "))) return 77;
  }
  return 0;
}

QString core_path(const QString& method, const QString& sample) {
  return QStringLiteral(CORELENS_CORES_DIR "/") + method + QLatin1Char('/') + sample + QStringLiteral(".core");
}

int marker_line(const QString& source, const QString& marker) {
  QFile f(QStringLiteral(CORELENS_SAMPLES_SOURCE_DIR "/") + source);
  if (!f.open(QIODevice::ReadOnly)) return 0;
  QTextStream in(&f);
  for (int n = 1; !in.atEnd(); ++n) {
    QString line = in.readLine();
    qsizetype pos = line.indexOf(marker);
    if (pos < 0) continue;
    qsizetype end = pos + marker.size();
    if (end == line.size() || line[end] == QLatin1Char(' ')) return n;
  }
  return 0;
}

Report synthetic_report() {
  Report r;
  r.dump_path = "synthetic.core";
  r.arch = "x86_64";
  r.producer = "kernel";
  r.process.executable = "/opt/app/bin/server";
  r.process.pid = 100;
  r.signal = SignalReport{11, "SIGSEGV", "Segmentation fault", 1, "SEGV_MAPERR", "address not mapped to object", 0x10, {}, {}, 0};
  r.crashed_tid = 100;
  r.modules.push_back({"/opt/app/bin/server", 0x555555554000, 0x555555559000, 0x555555554000, "abcd", "/opt/app/bin/server",
                       "abcd", "", SymbolSource::file, "", true, "", ""});
  r.modules.push_back({"/lib/libc.so.6", 0x7ffff7d00000, 0x7ffff7f00000, 0x7ffff7d00000, "1234", "/lib/libc.so.6", "9999", "",
                       SymbolSource::mismatch, "build-id differs", false, "", ""});
  r.mappings.push_back({0x555555554000, 0x555555559000, "r-xp", "/opt/app/bin/server", 0, 0});
  r.mappings.push_back({0x555555560000, 0x555555581000, "rw-p", "", 0, 0x21000});  // the heap
  r.mappings.push_back({0x7ffff7d00000, 0x7ffff7f00000, "r-xp", "/lib/libc.so.6", 0, 0});
  r.mappings.push_back({0x7ffff0000000, 0x7ffff0800000, "rw-p", "", 0, 0x800000});  // a thread's stack
  r.mappings.push_back({0x7ffffffde000, 0x7ffffffff000, "rw-p", "", 0, 0x21000});   // main stack
  auto frame = [](std::uint32_t i, std::uint64_t pc, const char* fn, const char* mod, FrameTrust trust) {
    Frame f;
    f.index = i;
    f.pc = pc;
    f.lookup_pc = i == 0 ? pc : pc - 1;
    f.trust = trust;
    f.function = fn;
    f.function_offset = 4;
    f.module = mod;
    f.file = "/src/server.c";
    f.line = 10 + i;
    if (i > 0) f.registers = {{"rip", pc}, {"rsp", 0x7ffff07ff000 + std::uint64_t{i} * 16}};
    return f;
  };
  ThreadReport crashed;
  crashed.tid = 100;
  crashed.name = "server";
  crashed.crashed = true;
  crashed.registers = {{"rax", 0x10}, {"rbx", 0x555555560010}, {"rip", 0x555555555004}, {"rsp", 0x7fffffffe000}};
  crashed.frames = {frame(0, 0x555555555004, "handle", "/opt/app/bin/server", FrameTrust::context),
                    frame(1, 0x555555555104, "main", "/opt/app/bin/server", FrameTrust::cfi)};
  crashed.unwind = UnwindStatus::done();
  r.threads.push_back(crashed);
  for (int i = 0; i < 3; ++i) {
    ThreadReport t;
    t.tid = 101 + i;
    t.name = "worker";
    t.registers = {{"rip", 0x7ffff7d01004}, {"rsp", 0x7ffff07fe000}};
    t.frames = {frame(0, 0x7ffff7d01004, "epoll_wait", "/lib/libc.so.6", FrameTrust::context),
                frame(1, 0x555555555204, "worker_loop", "/opt/app/bin/server", FrameTrust::cfi)};
    t.unwind = i != 2 ? UnwindStatus::done() : UnwindStatus::stopped(StopReason::no_caller, "no CFI for pc");
    r.threads.push_back(t);
  }
  ThreadReport empty;
  empty.tid = 110;
  r.threads.push_back(empty);
  r.notes.push_back({"CORE", 1, "NT_PRSTATUS", 0x200, 336});
  r.notes.push_back({"XYZ", 77, "", 0x400, 8});
  r.diagnostics.push_back({Severity::warning, "module-build-id-mismatch", "libc.so.6: build-id differs", 0x7ffff7d00000});
  r.diagnostics.push_back({Severity::info, "note-unknown", "unknown note XYZ", std::nullopt});
  return r;
}

}  // namespace corelens::gui::testing
