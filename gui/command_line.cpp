#include "gui/command_line.hpp"

#include <cstdlib>

#include "gui/help_text.hpp"

namespace corelens::gui {

QString usage_text() { return QString::fromUtf8(kHelp.data(), static_cast<qsizetype>(kHelp.size())); }

ParsedCommandLine parse_command_line(const QStringList& args) {
  ParsedCommandLine out;
  LaunchOptions& o = out.options;
  QStringList positional;
  QString core_option;  // -c CORE
  bool debug_dir_given = false;
  for (qsizetype i = 0; i < args.size(); ++i) {
    const QString& a = args[i];
    if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
      o.help = true;
    } else if (a == QLatin1String("--version")) {
      o.version = true;
    } else if (a == QLatin1String("--exe") || a == QLatin1String("--sysroot") || a == QLatin1String("--debug-dir") ||
               a == QLatin1String("--screenshot") || a == QLatin1String("-c") || a == QLatin1String("--core") ||
               a == QLatin1String("--vmlinux") || a == QLatin1String("--module-dir")) {
      if (i + 1 >= args.size()) {
        out.error = a + QStringLiteral(" needs a value");
        return out;
      }
      const QString v = args[++i];
      if (a == QLatin1String("--exe")) o.analyze.locator.executable = v.toStdString();
      else if (a == QLatin1String("--sysroot")) o.analyze.locator.sysroot = v.toStdString();
      else if (a == QLatin1String("--vmlinux")) o.analyze.kernel.vmlinux.vmlinux = v.toStdString();
      else if (a == QLatin1String("--module-dir")) o.analyze.kernel.module_dirs.push_back(v.toStdString());
      else if (a == QLatin1String("--debug-dir")) {
        o.analyze.locator.debug_dirs.push_back(v.toStdString());
        debug_dir_given = true;
      } else if (a == QLatin1String("-c") || a == QLatin1String("--core")) {
        // gdb's `EXECUTABLE -c CORE`, which `coredumpctl debug --debugger=corelens-gui` runs.
        if (!core_option.isEmpty()) {
          out.error = QStringLiteral("more than one core file");
          return out;
        }
        core_option = v;
      } else {
        o.screenshot = v;
      }
    } else if (a == QLatin1String("--pid") || a == QLatin1String("-p")) {
      bool ok = false;
      int pid = i + 1 < args.size() ? args[i + 1].toInt(&ok) : 0;
      if (!ok || pid <= 0) {
        out.error = a + QStringLiteral(" needs a process id");
        return out;
      }
      ++i;
      o.pid = pid;
    } else if (a.startsWith(QLatin1Char('-')) && a != QLatin1String("-")) {
      out.error = QStringLiteral("unknown option ") + a;
      return out;
    } else {
      positional << a;
    }
  }
  if (!core_option.isEmpty()) positional << core_option;  // as if it came last
  if (positional.size() > 2) {
    out.error = QStringLiteral("too many arguments");
    return out;
  }
  if (positional.size() == 2) {
    if (o.analyze.locator.executable.empty()) o.analyze.locator.executable = positional.front().toStdString();
    positional.removeFirst();
  }
  if (o.pid != 0 && positional.size() == 1 && o.analyze.locator.executable.empty()) {
    o.analyze.locator.executable = positional.front().toStdString();  // EXECUTABLE --pid PID
    positional.clear();
  }
  if (o.pid != 0 && !positional.isEmpty()) {
    out.error = QStringLiteral("--pid opens a running process: give no core");
    return out;
  }
  if (!positional.isEmpty()) o.core = positional.front();
  if (!o.screenshot.isEmpty() && o.core.isEmpty() && o.pid == 0 && !o.help && !o.version) {
    out.error = QStringLiteral("--screenshot needs a core file");
    return out;
  }
  if (!debug_dir_given) o.analyze.locator.debug_dirs.push_back("/usr/lib/debug");
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  o.analyze.locator.use_debuginfod = urls != nullptr && *urls != '\0';
  return out;
}

}  // namespace corelens::gui
