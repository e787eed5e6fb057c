// `corelens triage DIR|FILES...`: analyse many dumps (each in an isolated child, see
// triage_runner.cpp), group them by crash signature, biggest group first, and print the groups
// as text, JSON or Markdown; with --db, mark each group NEW or KNOWN (triage_db.cpp).
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <thread>

#include "cli/ci_outputs.hpp"
#include "cli/exit_codes.hpp"
#include "cli/help_text.hpp"
#include "cli/history/recorder.hpp"
#include "cli/triage.hpp"
#include "core/report/batch/batch_json.hpp"
#include "core/report/batch/batch_markdown.hpp"
#include "core/report/batch/batch_text.hpp"

namespace corelens::cli {
namespace {

using Group = TriageGroup;

int usage_error(const std::string& message) {
  std::fprintf(stderr, "corelens triage: %s\n(try 'corelens triage --help')\n", message.c_str());
  return kExitUsage;
}

bool is_elf_core(const std::filesystem::path& p) {
  std::ifstream in(p, std::ios::binary);
  unsigned char h[18] = {};
  if (!in.read(reinterpret_cast<char*>(h), sizeof h)) return false;
  // "\x7fELF", then e_type (little-endian ET_CORE = 4) at offset 16.
  return h[0] == 0x7f && h[1] == 'E' && h[2] == 'L' && h[3] == 'F' && h[16] == 4 && h[17] == 0;
}

TriageEntry entry_of(const Group& g) {
  const TriageRecord& ex = *g.members.front();
  TriageEntry e;
  e.hash = ex.signature.hash;
  e.readable = ex.signature.readable;
  e.category = ex.category;
  e.severity = ex.severity;
  e.why = ex.why;
  e.example = ex.dump;
  e.top_frames = ex.top_frames;
  e.thread_groups = ex.thread_groups;
  for (const auto* m : g.members) e.dumps.push_back(m->dump);
  if (g.has_db) {
    e.history = TriageEntry::History{g.db.known, g.db.first_seen, g.db.last_seen, g.db.total_count, g.db.counted};
  }
  return e;
}

}  // namespace

int run_triage(const std::vector<std::string>& argv) {
  RunnerOptions options;
  options.jobs = std::max(1u, std::thread::hardware_concurrency());
  std::string format = "text", db_path, html_path;
  CiOutputs ci;
  std::vector<std::string> inputs;
  bool progress = ::isatty(STDERR_FILENO) != 0;
  bool debug_dir_given = false;
  for (std::size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto number = [&](unsigned long long& out) {
      if (i + 1 >= argv.size()) return false;
      const std::string& v = argv[++i];
      char* end = nullptr;
      out = std::strtoull(v.c_str(), &end, 10);
      return end != v.c_str() && *end == '\0' && out > 0;
    };
    unsigned long long n = 0;
    std::string ci_error;
    if (a == "-h" || a == "--help") {
      std::fwrite(kHelpTriage.data(), 1, kHelpTriage.size(), stdout);
      return kExitOk;
    } else if (parse_ci_option(argv, i, ci, ci_error)) {
      if (!ci_error.empty()) return usage_error(ci_error);
    } else if (a == "--jobs") {
      if (!number(n) || n > 1024) return usage_error("--jobs needs a number from 1 to 1024");
      options.jobs = static_cast<unsigned>(n);
    } else if (a == "--timeout") {
      if (!number(n) || n > 86400) return usage_error("--timeout needs seconds (1 to 86400)");
      options.timeout_seconds = static_cast<unsigned>(n);
    } else if (a == "--memory-limit") {
      if (!number(n) || n > (1ull << 30)) return usage_error("--memory-limit needs MiB");
      options.memory_limit_mib = n;
    } else if (a == "--format" || a == "--db" || a == "--html" || a == "--skip-frames" || a == "--sysroot" ||
               a == "--debug-dir") {
      if (i + 1 >= argv.size()) return usage_error(a + " needs a value");
      const std::string& v = argv[++i];
      if (a == "--format") {
        if (v != "text" && v != "json" && v != "markdown") return usage_error("unknown format '" + v + "'");
        format = v;
      } else if (a == "--db") {
        db_path = v;
      } else if (a == "--html") {
        html_path = v;
      } else if (a == "--skip-frames") {
        auto extra = SkipList::load(v);
        if (!extra) return usage_error(extra.error().message);
        SkipList skip = SkipList::builtin();
        for (const auto& p : extra->patterns()) skip.add(p);
        options.analyze.skip_frames = std::move(skip);
      } else if (a == "--sysroot") {
        options.analyze.locator.sysroot = v;
      } else {
        options.analyze.locator.debug_dirs.push_back(v);
        debug_dir_given = true;
      }
    } else if (a == "--no-progress") {
      progress = false;
    } else if (a.starts_with("-")) {
      return usage_error("unknown option " + a);
    } else {
      inputs.push_back(a);
    }
  }
  if (inputs.empty()) return usage_error("triage needs a directory or core files");
  if (!debug_dir_given) options.analyze.locator.debug_dirs.push_back("/usr/lib/debug");
  const char* urls = std::getenv("DEBUGINFOD_URLS");
  options.analyze.locator.use_debuginfod = urls != nullptr && *urls != '\0';
  options.progress = progress;

  std::vector<std::string> dumps;
  for (const auto& in : inputs) {
    std::error_code ec;
    if (std::filesystem::is_directory(in, ec)) {
      std::vector<std::string> found;
      for (const auto& e : std::filesystem::directory_iterator(in, ec)) {
        std::error_code fe;
        if (std::filesystem::is_regular_file(e.path(), fe) && is_elf_core(e.path())) found.push_back(e.path().string());
      }
      if (ec) return usage_error(in + ": " + ec.message());
      std::sort(found.begin(), found.end());
      dumps.insert(dumps.end(), found.begin(), found.end());
    } else {
      dumps.push_back(in);  // named explicitly: the child says if it is not a dump
    }
  }
  if (dumps.empty()) return usage_error("no core files found in " + inputs.front());

  // --db: opened before the first analysis (a wrong URL fails now, not after the batch), and
  // each dump recorded as its result arrives, in its own transaction.
  std::optional<history::Recorder> recorder;
  if (!db_path.empty()) {
    auto opened = history::Recorder::open(db_path);
    if (!opened) {
      std::fprintf(stderr, "corelens triage: %s\n", opened.error().message.c_str());
      return kExitIo;
    }
    recorder.emplace(std::move(*opened));
    options.content_hash = true;
    options.on_result = [&](const TriageRecord& r) {
      if (r.status == "ok") recorder->record(r.dump, facts_from_record(r));
    };
  }
  std::vector<TriageRecord> records = run_children(dumps, options);

  std::map<std::string, std::size_t> by_hash;
  std::vector<Group> groups;
  std::vector<const TriageRecord*> failed;
  TriageTable table;
  table.dumps = records.size();
  for (const auto& r : records) {
    if (r.status != "ok") {
      failed.push_back(&r);
      table.failed.push_back({r.dump, r.status, r.error});
      continue;
    }
    auto [it, inserted] = by_hash.emplace(r.signature.hash, groups.size());
    if (inserted) groups.push_back(Group{r.signature.hash, {}, {}, false});
    groups[it->second].members.push_back(&r);
  }
  std::stable_sort(groups.begin(), groups.end(), [](const Group& a, const Group& b) {
    return a.members.size() != b.members.size() ? a.members.size() > b.members.size() : a.hash < b.hash;
  });
  if (recorder) {
    if (recorder->error()) {
      std::fprintf(stderr, "corelens triage: %s\n", recorder->error()->message.c_str());
      return kExitIo;
    }
    for (auto& g : groups) {
      auto state = recorder->state(g.hash);
      if (!state) {
        std::fprintf(stderr, "corelens triage: %s\n", state.error().message.c_str());
        return kExitIo;
      }
      // Absent only when every dump of the group was counted before under another signature
      // (an older corelens signed it differently) or the dumps have no signature: no status.
      if (!*state) continue;
      g.db = KnownSignature{!recorder->created(g.hash), (*state)->first_seen, (*state)->last_seen,
                            (*state)->total_count, recorder->counted(g.hash)};
      g.has_db = true;
    }
  }
  for (const auto& g : groups) table.groups.push_back(entry_of(g));
  std::string out = format == "json"       ? triage_to_json(table)
                    : format == "markdown" ? triage_to_markdown(table)
                                           : triage_to_text(table);
  std::fwrite(out.data(), 1, out.size(), stdout);
  if (!html_path.empty()) {
    auto page = triage_page(groups, failed, records.size(), recorder ? &*recorder : nullptr);
    if (!page) {
      std::fprintf(stderr, "corelens triage: %s\n", page.error().message.c_str());
      return kExitIo;
    }
    std::ofstream html(html_path, std::ios::binary | std::ios::trunc);
    html << *page;
    html.close();
    if (!html) {
      std::fprintf(stderr, "corelens triage: cannot write %s\n", html_path.c_str());
      return kExitIo;
    }
  }

  // CI reports: every dump is a case, in the order found; the writers group them by signature.
  std::vector<CrashCase> cases;
  for (const auto& r : records) {
    CrashCase c;
    c.origin = std::filesystem::path(r.dump).filename().string();
    c.core = r.dump;
    if (r.status == "ok") c.report = report_from_record(r);
    else c.error = r.status + ": " + r.error;
    cases.push_back(std::move(c));
  }
  if (!write_ci_outputs(cases, ci)) return kExitIo;
  return table.failed.empty() ? kExitOk : 1;
}

}  // namespace corelens::cli
