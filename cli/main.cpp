// corelens: the command-line front end. Thin by design: it parses arguments, runs the analysis
// library, and prints the Report; it never reads dump bytes itself.
#include <cstdio>
#include <cstdlib>
#include <iostream>
#include <string>
#include <string_view>
#include <vector>

#include "cli/exit_codes.hpp"
#include "cli/subcommands.hpp"
#include "cli/triage.hpp"
#include "core/report_json.hpp"
#include "core/report_text.hpp"
#include "unwinder/analyze.hpp"

namespace corelens::cli {
namespace {

constexpr std::string_view kUsage = R"(usage: corelens analyze CORE [options]
       corelens EXECUTABLE CORE            (the argument order of gdb and coredumpctl)
       corelens run [options] -- COMMAND [ARGS...]   catch every crash of COMMAND's process tree
                                            (corelens run --help)
       corelens collect DIR|CORE... [options]  the cores a run left (kernel, systemd-coredump)
                                            (corelens collect --help)
       corelens triage DIR|CORE... [options]   many dumps, grouped by crash signature
                                            (corelens triage --help)

Open a core dump, unwind every thread into a symbolic stack, and say why the process died.

options for analyze:
  --exe PATH          the executable that crashed (when the path in the core is wrong)
  --sysroot DIR       look up every file named in the core inside DIR (never outside it)
  --debug-dir DIR     a debug directory with .build-id/ trees (repeatable;
                      default /usr/lib/debug)
  --format text|json  text for people (default) or JSON for programs (schema:
                      report.schema.json, "schema_version" 1)
  --max-frames N      stop unwinding a thread after N frames (default 1000000)
  --unwinder dwfl|libunwind|auto|cross-check
                      which unwinder walks the stacks: libdwfl (default), libunwind,
                      libdwfl with libunwind for the threads it gets further on, or
                      both, reporting thread by thread where they disagree
  --registers         show each thread's registers (text)
  --modules           list every module and where its symbols came from (text)
  --mappings          list the memory map (text)
  --notes             list every note of the core (text)
  --no-collapse       print every frame of runaway recursion and every thread of a
                      group of identical stacks (text)
  --skip-frames FILE  more frames to leave out of the crash signature (one name or
                      prefix* per line, added to the built-in list)
  --vmlinux FILE      kernel dumps: the vmlinux with DWARF (Debian: linux-image-RELEASE-dbg),
                      for file:line, inlined calls and DWARF CFI; used only if its build-id
                      is the dump's. Without it, looked for by release and build-id under
                      the debug dirs (boot/vmlinux-RELEASE, lib/modules/RELEASE/vmlinux,
                      .build-id/), then debuginfod
  --kernel-unwinder orc|dwarf-cfi
                      kernel dumps: ORC from the dump's memory first (default), or the
                      vmlinux's DWARF CFI first (ORC still for code CFI does not describe)
  -h, --help          this help
  --version           print the version

debuginfod is used only when DEBUGINFOD_URLS is set.

exit status:
  0   the dump was analysed       64  bad command line
  65  not a dump, or unreadable   66  cannot open the file
  69  a dump this version cannot read yet
  70  internal error
)";

struct Args {
  std::string core;
  std::string format = "text";
  AnalyzeOptions analyze;
  TextOptions text;
};

int usage_error(const std::string& message) {
  std::fprintf(stderr, "corelens: %s\n(try 'corelens --help')\n", message.c_str());
  return kExitUsage;
}

int exit_code_for(const Error& e) {
  switch (e.code) {
    case ErrorCode::io: return kExitIo;
    case ErrorCode::not_a_dump:
    case ErrorCode::truncated:
    case ErrorCode::malformed: return kExitNotADump;
    case ErrorCode::unsupported: return kExitUnsupported;
    default: return kExitInternal;
  }
}

int run_analyze(const std::vector<std::string>& argv) {
  Args args;
  std::vector<std::string> positional;
  bool debug_dir_given = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto value = [&](const char* name) -> const std::string* {
      if (i + 1 >= argv.size()) return nullptr;
      (void)name;
      return &argv[++i];
    };
    if (a == "--skip-frames") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      auto extra = SkipList::load(*v);
      if (!extra) return usage_error(extra.error().message);
      SkipList skip = SkipList::builtin();
      for (const auto& p : extra->patterns()) skip.add(p);
      args.analyze.skip_frames = std::move(skip);
    } else if (a == "--unwinder") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      auto choice = parse_unwinder_choice(*v);
      if (!choice) return usage_error("unknown unwinder '" + *v + "' (dwfl, libunwind, auto or cross-check)");
      args.analyze.unwinder = *choice;
    } else if (a == "--vmlinux") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      args.analyze.kernel.vmlinux.vmlinux = *v;
    } else if (a == "--kernel-unwinder") {
      const std::string* v = value(a.c_str());
      if (v == nullptr || (*v != "orc" && *v != "dwarf-cfi")) return usage_error(a + " needs orc or dwarf-cfi");
      args.analyze.kernel.cfi_first = *v == "dwarf-cfi";
    } else if (a == "--exe" || a == "--sysroot" || a == "--debug-dir" || a == "--format" || a == "--max-frames") {
      const std::string* v = value(a.c_str());
      if (v == nullptr) return usage_error(a + " needs a value");
      if (a == "--exe") args.analyze.locator.executable = *v;
      else if (a == "--sysroot") args.analyze.locator.sysroot = *v;
      else if (a == "--debug-dir") {
        args.analyze.locator.debug_dirs.push_back(*v);
        debug_dir_given = true;
      } else if (a == "--format") {
        if (*v != "text" && *v != "json") return usage_error("unknown format '" + *v + "' (text or json)");
        args.format = *v;
      } else {
        char* end = nullptr;
        unsigned long long n = std::strtoull(v->c_str(), &end, 10);
        if (end == v->c_str() || *end != '\0' || n == 0) return usage_error("--max-frames needs a positive number");
        args.analyze.limits.max_frames = static_cast<std::size_t>(n);
      }
    } else if (a == "--registers") {
      args.text.show_registers = true;
    } else if (a == "--modules") {
      args.text.show_modules = true;
    } else if (a == "--mappings") {
      args.text.show_mappings = true;
    } else if (a == "--notes") {
      args.text.show_notes = true;
    } else if (a == "--no-collapse") {
      args.text.collapse_recursion = false;
    } else if (a.starts_with("-") && a != "-") {
      return usage_error("unknown option " + a);
    } else {
      positional.push_back(a);
    }
  }
  if (positional.empty()) return usage_error("analyze needs a core file");
  if (positional.size() > 2) return usage_error("too many arguments");
  if (positional.size() == 2) {
    // corelens analyze EXECUTABLE CORE, as gdb takes them.
    if (args.analyze.locator.executable.empty()) args.analyze.locator.executable = positional[0];
    positional.erase(positional.begin());
  }
  args.core = positional.front();
  if (!debug_dir_given) args.analyze.locator.debug_dirs.push_back("/usr/lib/debug");
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  args.analyze.locator.use_debuginfod = urls != nullptr && *urls != '\0';

  auto report = analyze_file(args.core, args.analyze);
  if (!report) {
    std::fprintf(stderr, "corelens: %s\n", report.error().message.c_str());
    return exit_code_for(report.error());
  }
  std::string out = args.format == "json" ? report_to_json(*report) : report_to_text(*report, args.text);
  if (args.format == "json") out += '\n';
  std::fwrite(out.data(), 1, out.size(), stdout);
  return kExitOk;
}

}  // namespace

int main(int argc, char** argv) {
  std::vector<std::string> args(argv + 1, argv + argc);
  if (args.empty()) return usage_error("no command given");
  const std::string& cmd = args.front();
  if (cmd == "-h" || cmd == "--help" || cmd == "help") {
    std::fwrite(kUsage.data(), 1, kUsage.size(), stdout);
    return kExitOk;
  }
  if (cmd == "--version") {
    std::printf("corelens %s\n", CORELENS_VERSION);
    return kExitOk;
  }
  if (cmd == "analyze") return run_analyze({args.begin() + 1, args.end()});
  if (cmd == "run") return run_run({args.begin() + 1, args.end()});
  if (cmd == "collect") return run_collect({args.begin() + 1, args.end()});
  if (cmd == "triage") return run_triage({args.begin() + 1, args.end()});
  // No subcommand: `corelens CORE` or `corelens EXECUTABLE CORE`.
  if (!cmd.starts_with("-")) return run_analyze(args);
  return usage_error("unknown command " + cmd);
}

}  // namespace corelens::cli

int main(int argc, char** argv) {
  try {
    return corelens::cli::main(argc, argv);
  } catch (const std::exception& e) {
    // Nothing should throw past the libraries; if something does, say so instead of aborting.
    std::fprintf(stderr, "corelens: internal error: %s\n", e.what());
    return corelens::cli::kExitInternal;
  }
}
