#include "unwinder/debuginfod_budget.hpp"

#include <dlfcn.h>
#include <elfutils/debuginfod.h>
#include <unistd.h>

#include <fcntl.h>
#include <gelf.h>
#include <libelf.h>

#include <atomic>
#include <cmath>
#include <filesystem>
#include <condition_variable>
#include <cstdlib>
#include <memory>
#include <mutex>
#include <thread>

namespace corelens {
namespace {

// libdebuginfod's entry points, dlsym'ed once (module_locator.cpp says why it is dlopen'ed).
struct Library {
  decltype(&debuginfod_begin) begin = nullptr;
  decltype(&debuginfod_end) end = nullptr;
  decltype(&debuginfod_find_executable) find_executable = nullptr;
  decltype(&debuginfod_find_debuginfo) find_debuginfo = nullptr;
  decltype(&debuginfod_set_progressfn) set_progressfn = nullptr;
  decltype(&debuginfod_set_user_data) set_user_data = nullptr;
  decltype(&debuginfod_get_user_data) get_user_data = nullptr;
  bool ok = false;
};

template <typename F>
F symbol(void* lib, const char* name) {
  return reinterpret_cast<F>(dlsym(lib, name));
}

const Library& library() {
  static const Library lib = [] {
    Library l;
    void* h = dlopen("libdebuginfod.so.1", RTLD_LAZY | RTLD_LOCAL);
    if (h == nullptr) return l;
    l.begin = symbol<decltype(l.begin)>(h, "debuginfod_begin");
    l.end = symbol<decltype(l.end)>(h, "debuginfod_end");
    l.find_executable = symbol<decltype(l.find_executable)>(h, "debuginfod_find_executable");
    l.find_debuginfo = symbol<decltype(l.find_debuginfo)>(h, "debuginfod_find_debuginfo");
    l.set_progressfn = symbol<decltype(l.set_progressfn)>(h, "debuginfod_set_progressfn");
    l.set_user_data = symbol<decltype(l.set_user_data)>(h, "debuginfod_set_user_data");
    l.get_user_data = symbol<decltype(l.get_user_data)>(h, "debuginfod_get_user_data");
    l.ok = l.begin && l.end && l.find_executable && l.find_debuginfo && l.set_progressfn && l.set_user_data &&
           l.get_user_data;
    return l;
  }();
  return lib;
}

// One look-up, shared by its thread and the waiting caller: whoever finishes last frees it.
struct Job {
  std::string build_id;
  DebuginfodFile what = DebuginfodFile::executable;
  std::chrono::steady_clock::time_point deadline;
  std::atomic<bool> cancel{false};
  // Under the mutex of the batch:
  bool done = false;
  DebuginfodAnswer answer;
};

struct Batch {
  std::mutex mutex;
  std::condition_variable changed;
};

// libdebuginfod calls this about once a second while a transfer runs, data or not; non-zero
// cancels it.
int check_deadline(debuginfod_client* client, long, long) {
  const auto* job = static_cast<const Job*>(library().get_user_data(client));
  if (job == nullptr) return 1;
  return job->cancel.load() || std::chrono::steady_clock::now() >= job->deadline ? 1 : 0;
}

int cancel_always(debuginfod_client*, long, long) { return 1; }

void run(const std::shared_ptr<Job>& job, const std::shared_ptr<Batch>& batch) {
  const Library& lib = library();
  DebuginfodAnswer answer;
  if (debuginfod_client* client = lib.begin()) {
    lib.set_user_data(client, job.get());
    lib.set_progressfn(client, check_deadline);
    char* path = nullptr;
    const auto* id = reinterpret_cast<const unsigned char*>(job->build_id.c_str());
    int fd = job->what == DebuginfodFile::executable ? lib.find_executable(client, id, 0, &path)
                                                      : lib.find_debuginfo(client, id, 0, &path);
    if (fd >= 0) {
      ::close(fd);
      if (path != nullptr) answer.path = path;
      answer.answered = true;
    } else if (job->cancel.load() || std::chrono::steady_clock::now() >= job->deadline) {
      // Checked first: a transfer cut short by check_deadline also ends in -ENOENT.
      answer.error = "no answer within the budget";
    } else if (fd == -ENOENT) {
      answer.answered = true;
      answer.error = "not found";
    } else {
      answer.error = "failed (error " + std::to_string(-fd) + ")";
    }
    std::free(path);
    lib.end(client);
  } else {
    answer.error = "libdebuginfod could not start a client";
  }
  std::lock_guard lock(batch->mutex);
  job->answer = std::move(answer);
  job->done = true;
  batch->changed.notify_all();
}

bool is_hex_build_id(const std::string& id) {
  if (id.size() < 2 || id.size() > 128) return false;
  for (char c : id) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

bool local_debug_file(const std::string& build_id, const std::vector<std::string>& dirs) {
  std::error_code ec;
  for (const auto& d : dirs) {
    if (std::filesystem::exists(d + "/.build-id/" + build_id.substr(0, 2) + "/" + build_id.substr(2) + ".debug", ec)) {
      return true;
    }
  }
  return false;
}

}  // namespace

bool has_own_dwarf(const std::string& path) {
  int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return false;
  bool found = false;
  elf_version(EV_CURRENT);
  if (Elf* elf = elf_begin(fd, ELF_C_READ_MMAP, nullptr)) {
    std::size_t strndx = 0;
    if (elf_getshdrstrndx(elf, &strndx) == 0) {
      for (Elf_Scn* scn = elf_nextscn(elf, nullptr); scn != nullptr && !found; scn = elf_nextscn(elf, scn)) {
        GElf_Shdr shdr;
        if (gelf_getshdr(scn, &shdr) == nullptr) continue;
        const char* name = elf_strptr(elf, strndx, shdr.sh_name);
        found = name != nullptr && std::string_view(name) == ".debug_info" && shdr.sh_type != SHT_NOBITS;
      }
    }
    elf_end(elf);
  }
  ::close(fd);
  return found;
}


void fetch_missing_from_debuginfod(const ProcessDump& dump, std::vector<LocatedModule>& located,
                                   const LocatorOptions& options,
                                   const std::function<bool(std::size_t, std::size_t)>& progress) {
  if (!options.use_debuginfod) return;
  struct Asked {
    std::size_t module;
    DebuginfodFile what;
  };
  std::vector<DebuginfodRequest> requests;
  std::vector<Asked> asked;
  for (std::size_t i = 0; i < dump.modules.size() && i < located.size(); ++i) {
    const Module& m = dump.modules[i];
    const LocatedModule& l = located[i];
    if (m.is_vdso || !is_hex_build_id(m.build_id)) continue;
    const bool no_file = l.source == SymbolSource::none || l.source == SymbolSource::mismatch;
    if (no_file) {
      requests.push_back({m.build_id, DebuginfodFile::executable});
      asked.push_back({i, DebuginfodFile::executable});
    }
    if ((no_file || !has_own_dwarf(l.file)) && !local_debug_file(m.build_id, options.debug_dirs)) {
      requests.push_back({m.build_id, DebuginfodFile::debuginfo});
      asked.push_back({i, DebuginfodFile::debuginfo});
    }
  }
  if (requests.empty()) return;
  const double seconds = std::isfinite(options.debuginfod_timeout) && options.debuginfod_timeout > 0
                             ? std::min(options.debuginfod_timeout, 86400.0)
                             : 0.0;
  auto budget = std::chrono::milliseconds(static_cast<long long>(seconds * 1000));
  std::vector<DebuginfodAnswer> answers = fetch_with_budget(requests, budget, progress);
  for (std::size_t k = 0; k < asked.size(); ++k) {
    LocatedModule& l = located[asked[k].module];
    const std::string& id = requests[k].build_id;
    const DebuginfodAnswer& a = answers[k];
    if (asked[k].what == DebuginfodFile::executable) {
      if (!a.path.empty()) {
        l.file = a.path;
        l.file_build_id = id;
        l.source = SymbolSource::debuginfod;
        l.note = "downloaded by debuginfod";
      } else {
        std::string why = "debuginfod: executable " + a.error + " (build-id " + id + ")";
        l.note = l.note.empty() ? why : l.note + "; " + why;
      }
    } else if (a.path.empty() && a.error != "not found") {
      // Not found is the usual answer for a file with its own DWARF; a look-up cut short is news.
      std::string why = "debuginfod: debug info " + a.error + " (build-id " + id + ")";
      l.note = l.note.empty() ? why : l.note + "; " + why;
    }
  }
}

bool debuginfod_available() { return library().ok; }

std::vector<DebuginfodAnswer> fetch_with_budget(const std::vector<DebuginfodRequest>& requests,
                                                std::chrono::milliseconds budget,
                                                const std::function<bool(std::size_t, std::size_t)>& progress) {
  std::vector<DebuginfodAnswer> out(requests.size());
  if (!library().ok) {
    for (auto& a : out) a.error = "libdebuginfod is not installed";
    return out;
  }
  const auto start = std::chrono::steady_clock::now();
  const auto deadline = start + budget;
  auto batch = std::make_shared<Batch>();
  std::vector<std::shared_ptr<Job>> jobs;
  for (const auto& r : requests) {
    auto job = std::make_shared<Job>();
    job->build_id = r.build_id;
    job->what = r.what;
    job->deadline = deadline;
    jobs.push_back(job);
    // Each thread owns a reference: one still running past the deadline frees its job itself.
    std::thread(run, job, batch).detach();
  }
  // Past the deadline, a transfer notices at its next progress call (about a second); a thread
  // stuck where libdebuginfod calls nothing back is left behind after this grace.
  const auto give_up = deadline + std::chrono::seconds(3);
  std::unique_lock lock(batch->mutex);
  for (;;) {
    std::size_t done = 0;
    for (const auto& j : jobs) done += j->done ? 1 : 0;
    if (done == jobs.size() || std::chrono::steady_clock::now() >= give_up) break;
    if (progress) {
      lock.unlock();
      bool go_on = progress(done, jobs.size());
      lock.lock();
      if (!go_on) {
        for (auto& j : jobs) j->cancel = true;
      }
    }
    batch->changed.wait_for(lock, std::chrono::milliseconds(100));
  }
  for (std::size_t i = 0; i < jobs.size(); ++i) {
    if (jobs[i]->done) {
      out[i] = jobs[i]->answer;
    } else {
      jobs[i]->cancel = true;
      out[i].error = "no answer within the budget";
    }
  }
  return out;
}

void debuginfod_cache_only(void* client) {
  if (client != nullptr && library().ok) {
    library().set_progressfn(static_cast<debuginfod_client*>(client), cancel_always);
  }
}

}  // namespace corelens
