#include "gui/command_line.hpp"

#include <cstdlib>

namespace corelens::gui {

QString usage_text() {
  return QStringLiteral(
      "usage: corelens-gui [CORE] [options]\n"
      "       corelens-gui EXECUTABLE CORE        (gdb's argument order)\n"
      "\n"
      "Open a core dump and see why the process crashed.\n"
      "\n"
      "options:\n"
      "  --exe PATH            the executable that crashed (when the path in the core is wrong)\n"
      "  --sysroot DIR         look up every file named in the core inside DIR\n"
      "  --debug-dir DIR       a debug directory with .build-id/ trees (repeatable;\n"
      "                        default /usr/lib/debug)\n"
      "  --vmlinux FILE        kernel dumps: the vmlinux with DWARF (file:line, inlined calls);\n"
      "                        else looked for by release and build-id under the debug dirs\n"
      "  --screenshot FILE.png render the window with the crash selected into FILE and exit\n"
      "                        (works without a display: QT_QPA_PLATFORM=offscreen)\n"
      "  -h, --help            this help\n"
      "  --version             print the version\n"
      "\n"
      "debuginfod is used only when DEBUGINFOD_URLS is set.\n");
}

ParsedCommandLine parse_command_line(const QStringList& args) {
  ParsedCommandLine out;
  LaunchOptions& o = out.options;
  QStringList positional;
  bool debug_dir_given = false;
  for (qsizetype i = 0; i < args.size(); ++i) {
    const QString& a = args[i];
    if (a == QLatin1String("-h") || a == QLatin1String("--help")) {
      o.help = true;
    } else if (a == QLatin1String("--version")) {
      o.version = true;
    } else if (a == QLatin1String("--exe") || a == QLatin1String("--sysroot") || a == QLatin1String("--debug-dir") ||
               a == QLatin1String("--screenshot") || a == QLatin1String("--vmlinux")) {
      if (i + 1 >= args.size()) {
        out.error = a + QStringLiteral(" needs a value");
        return out;
      }
      const QString v = args[++i];
      if (a == QLatin1String("--exe")) o.analyze.locator.executable = v.toStdString();
      else if (a == QLatin1String("--sysroot")) o.analyze.locator.sysroot = v.toStdString();
      else if (a == QLatin1String("--vmlinux")) o.analyze.kernel.vmlinux.vmlinux = v.toStdString();
      else if (a == QLatin1String("--debug-dir")) {
        o.analyze.locator.debug_dirs.push_back(v.toStdString());
        debug_dir_given = true;
      } else {
        o.screenshot = v;
      }
    } else if (a.startsWith(QLatin1Char('-')) && a != QLatin1String("-")) {
      out.error = QStringLiteral("unknown option ") + a;
      return out;
    } else {
      positional << a;
    }
  }
  if (positional.size() > 2) {
    out.error = QStringLiteral("too many arguments");
    return out;
  }
  if (positional.size() == 2) {
    if (o.analyze.locator.executable.empty()) o.analyze.locator.executable = positional.front().toStdString();
    positional.removeFirst();
  }
  if (!positional.isEmpty()) o.core = positional.front();
  if (!o.screenshot.isEmpty() && o.core.isEmpty() && !o.help && !o.version) {
    out.error = QStringLiteral("--screenshot needs a core file");
    return out;
  }
  if (!debug_dir_given) o.analyze.locator.debug_dirs.push_back("/usr/lib/debug");
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  o.analyze.locator.use_debuginfod = urls != nullptr && *urls != '\0';
  return out;
}

}  // namespace corelens::gui
