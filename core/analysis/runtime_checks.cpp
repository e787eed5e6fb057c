#include "core/analysis/runtime_checks.hpp"

#include <array>

#include "core/analysis/plt_calls.hpp"
#include "core/analysis/signature.hpp"

namespace corelens {
namespace {

// A check's caller is a few frames from the abort; each PLT question reads the caller's dynamic
// tables, so a runaway recursion's thousands of frames are not all asked.
constexpr std::size_t kMaxFramesAskedForImports = 64;

// "abort@plt" -> "abort", "free@@GLIBC_2.2.5" -> "free", "operator delete(void*)" -> "operator delete".
std::string plain_name(std::string_view function) {
  std::string base = function_base_name(function);
  if (auto at = base.find('@'); at != std::string::npos) base.resize(at);
  // glibc's internal aliases: __GI___assert_fail, __libc_free, __GI___libc_free, __GI_abort.
  if (base.starts_with("__GI_") && base.size() > 5) base.erase(0, 5);
  if (base.starts_with("__libc_") && base.size() > 7) {
    std::string rest = base.substr(7);
    if (rest == "free" || rest == "malloc" || rest == "calloc" || rest == "realloc" || rest == "memalign" ||
        rest == "abort") {
      return rest;
    }
  }
  return base;
}

bool is_allocator(const std::string& n) {
  // The entry points whose checks call malloc_printerr, and malloc's internals that glibc's
  // symbols may show between them.
  static constexpr std::array<std::string_view, 22> kNames{
      "malloc", "free", "calloc", "realloc", "reallocarray", "memalign", "posix_memalign", "aligned_alloc",
      "valloc", "pvalloc", "cfree", "malloc_trim", "malloc_printerr", "_int_free", "_int_malloc", "_int_realloc",
      "_int_memalign", "malloc_consolidate", "unlink_chunk", "munmap_chunk", "tcache_thread_shutdown", "_int_free_merge_chunk"};
  for (auto k : kNames) {
    if (n == k) return true;
  }
  // C++'s operator new and delete in every overload, mangled (as relocations name them) or not.
  return n.starts_with("_Znw") || n.starts_with("_Zna") || n.starts_with("_Zdl") || n.starts_with("_Zda") ||
         n == "operator new" || n == "operator delete" || n == "operator new[]" || n == "operator delete[]";
}

}  // namespace

RuntimeCheck runtime_check_of(std::string_view function) {
  std::string n = plain_name(function);
  if (n.empty()) return RuntimeCheck::none;
  if (n == "__stack_chk_fail" || n == "__stack_chk_fail_local") return RuntimeCheck::stack_protector;
  // Every fortified function is __<name>_chk (__strcpy_chk, __memcpy_chk, __printf_chk,
  // __longjmp_chk ...); they fail through __chk_fail and __fortify_fail.
  if (n == "__chk_fail" || n == "__fortify_fail" || n == "__fortify_fail_abort" ||
      (n.starts_with("__") && n.ends_with("_chk") && n.size() > 6)) {
    return RuntimeCheck::fortify;
  }
  if (n == "__assert_fail" || n == "__assert_perror_fail" || n == "__assert" || n == "__assert_fail_base") {
    return RuntimeCheck::assertion;
  }
  if (is_allocator(n)) return RuntimeCheck::heap;
  if (n == "abort") return RuntimeCheck::abort;
  return RuntimeCheck::none;
}

std::optional<RuntimeCheckHit> find_runtime_check(const ThreadReport& crashed, const ProcessDump& dump,
                                                  const MemorySource& memory, const Disassembler* dis) {
  // One check reaches others on its way to abort: glibc's __stack_chk_fail calls __fortify_fail,
  // old mallocs' assertions call __assert_fail. The entry the program called decides, so the
  // kinds rank: stack protector, fortify, heap, assert, and a plain abort last; within a kind
  // the outermost frame is kept (__strcpy_chk, not the __chk_fail it called), whose caller is the
  // program.
  auto rank = [](RuntimeCheck c) {
    switch (c) {
      case RuntimeCheck::stack_protector: return 5;
      case RuntimeCheck::fortify: return 4;
      case RuntimeCheck::heap: return 3;
      case RuntimeCheck::assertion: return 2;
      case RuntimeCheck::abort: return 1;
      case RuntimeCheck::none: break;
    }
    return 0;
  };
  std::optional<RuntimeCheckHit> best;
  for (std::size_t i = 0; i < crashed.frames.size(); ++i) {
    const Frame& f = crashed.frames[i];
    RuntimeCheckHit hit;
    hit.frame = i;
    hit.check = runtime_check_of(f.function);
    hit.function = plain_name(f.function);
    // A caller's return address follows its call; an inlined frame shares its pc with the real
    // frame below it, which is asked.
    bool physical_caller = i > 0 && i < kMaxFramesAskedForImports && !f.signal_frame && !f.inlined;
    if (hit.check == RuntimeCheck::none && physical_caller && dis != nullptr) {
      if (auto import = import_called_before(memory, dump, *dis, f.pc)) {
        hit.check = runtime_check_of(import->name);
        hit.function = import->name;
        hit.through_import = true;
      }
    }
    if (hit.check == RuntimeCheck::none) continue;
    if (!best || rank(hit.check) >= rank(best->check)) best = hit;
  }
  return best;
}

}  // namespace corelens
