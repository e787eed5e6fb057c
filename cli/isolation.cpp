#include "cli/isolation.hpp"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cerrno>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <new>

#include "core/model/signals.hpp"

namespace corelens::cli {
namespace {

// How a child says that its body threw instead of returning (bodies return 0-70 themselves).
constexpr int kChildOutOfMemory = 121;
constexpr int kChildThrew = 122;

// AddressSanitizer reserves terabytes of shadow address space at start-up, so an RLIMIT_AS in a
// sanitized build would make every allocation fail: there the memory limit is not applied (the
// time limit and the isolation still are).
#if defined(__SANITIZE_ADDRESS__)
constexpr bool kAddressSpaceLimitWorks = false;
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
constexpr bool kAddressSpaceLimitWorks = false;
#else
constexpr bool kAddressSpaceLimitWorks = true;
#endif
#else
constexpr bool kAddressSpaceLimitWorks = true;
#endif

// The address space this process already has (its libraries, the parent's heap): the memory
// limit is counted on top of it, so that it means what the analysis itself may use.
std::uint64_t current_address_space() {
  std::FILE* f = std::fopen("/proc/self/statm", "r");
  if (f == nullptr) return 0;
  unsigned long long pages = 0;
  int got = std::fscanf(f, "%llu", &pages);
  std::fclose(f);
  return got == 1 ? pages * static_cast<std::uint64_t>(::sysconf(_SC_PAGESIZE)) : 0;
}

void limit_this_process(const std::string& dump, const IsolationLimits& limits) {
  if (kAddressSpaceLimitWorks) {
    std::uint64_t file_size = 0;
    struct stat st {};
    if (::stat(dump.c_str(), &st) == 0) file_size = static_cast<std::uint64_t>(st.st_size);
    // The dump is mapped whole, so its size is added to the memory the analysis may use.
    constexpr std::uint64_t kMaxMib = std::uint64_t{1} << 40;  // keeps the sum from overflowing
    std::uint64_t mib = limits.memory_limit_mib < kMaxMib ? limits.memory_limit_mib : kMaxMib;
    rlimit as{};
    as.rlim_cur = as.rlim_max = static_cast<rlim_t>(current_address_space() + mib * 1024 * 1024 + file_size);
    setrlimit(RLIMIT_AS, &as);
  }
  rlimit cpu{};
  cpu.rlim_cur = cpu.rlim_max = limits.timeout_seconds + 1;
  setrlimit(RLIMIT_CPU, &cpu);
  rlimit core{};  // an analyzer crash must not leave a core of its own in the user's directory
  setrlimit(RLIMIT_CORE, &core);
}

// TEST ONLY. CORELENS_TEST_CHILD_FAULT=crash:NAME or hang:NAME makes the child analysing the
// dump whose file name is NAME crash (SIGSEGV) or hang, so the tests can prove the isolation
// without a dump that really breaks the analyzer. Never set it outside the test suite.
void apply_test_fault(const std::string& dump) {
  const char* spec = std::getenv("CORELENS_TEST_CHILD_FAULT");
  if (spec == nullptr) return;
  std::string s(spec);
  auto colon = s.find(':');
  if (colon == std::string::npos) return;
  std::string kind = s.substr(0, colon), name = s.substr(colon + 1);
  std::string base = dump.substr(dump.find_last_of('/') + 1);
  if (base != name) return;
  if (kind == "crash") {
    ::signal(SIGSEGV, SIG_DFL);
    raise(SIGSEGV);
  } else if (kind == "hang") {
    for (;;) pause();
  }
}

}  // namespace

std::optional<IsolatedChild> spawn_isolated(const std::string& dump, const IsolationLimits& limits,
                                            const std::function<int(int write_fd)>& body) {
  int fds[2];
  if (::pipe2(fds, O_CLOEXEC) != 0) return std::nullopt;
  std::fflush(nullptr);
  pid_t pid = ::fork();
  if (pid == 0) {
    ::close(fds[0]);
    limit_this_process(dump, limits);
    apply_test_fault(dump);
    int code = 1;
    try {
      code = body(fds[1]);
    } catch (const std::bad_alloc&) {
      code = kChildOutOfMemory;  // past the memory limit
    } catch (...) {
      code = kChildThrew;
    }
    ::close(fds[1]);
    std::_Exit(code);
  }
  ::close(fds[1]);
  if (pid < 0) {
    int saved = errno;
    ::close(fds[0]);
    errno = saved;
    return std::nullopt;
  }
  return IsolatedChild{pid, fds[0]};
}

std::optional<AbnormalEnd> abnormal_end(int wait_status, bool killed_for_time) {
  if (killed_for_time) return AbnormalEnd{true, true, "the analysis took longer than the time limit and was killed"};
  if (WIFSIGNALED(wait_status)) {
    int sig = WTERMSIG(wait_status);
    if (sig == SIGXCPU) return AbnormalEnd{true, true, "the analysis used more CPU time than the time limit and was killed"};
    return AbnormalEnd{false, false, "the analysis died of " + signal_name(sig) + " (" + signal_description(sig) + ")"};
  }
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == kChildOutOfMemory) {
    return AbnormalEnd{false, true, "the analysis ran out of memory (the memory limit)"};
  }
  if (WIFEXITED(wait_status) && WEXITSTATUS(wait_status) == kChildThrew) {
    return AbnormalEnd{false, false, "the analysis failed with an unexpected exception"};
  }
  return std::nullopt;
}

ChildResult wait_for_child(const IsolatedChild& child, unsigned timeout_seconds) {
  using Clock = std::chrono::steady_clock;
  ChildResult result;
  auto deadline = Clock::now() + std::chrono::seconds(timeout_seconds);
  for (;;) {
    auto left = std::chrono::duration_cast<std::chrono::milliseconds>(deadline - Clock::now()).count();
    if (left <= 0) {
      ::kill(child.pid, SIGKILL);
      result.killed_for_time = true;
      break;
    }
    pollfd p{child.fd, POLLIN, 0};
    int ready = ::poll(&p, 1, static_cast<int>(left < 1000 ? left : 1000));
    if (ready < 0 && errno == EINTR) continue;
    if (ready <= 0) continue;
    char buf[65536];
    ssize_t n = ::read(child.fd, buf, sizeof buf);
    if (n > 0) {
      result.output.append(buf, static_cast<std::size_t>(n));
      continue;
    }
    if (n < 0 && errno == EINTR) continue;
    break;  // end of file: the child closed the pipe (or died)
  }
  ::close(child.fd);
  while (::waitpid(child.pid, &result.wait_status, 0) < 0 && errno == EINTR) {
  }
  return result;
}

bool write_all(int fd, std::string_view data) {
  std::size_t off = 0;
  while (off < data.size()) {
    ssize_t n = ::write(fd, data.data() + off, data.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    off += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace corelens::cli
