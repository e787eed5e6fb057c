#include "core/analysis/classify.hpp"

#include <array>
#include <cstdlib>
#include <cstring>
#include <memory>

#include "core/analysis/control_flow.hpp"
#include "core/analysis/cxx_exception.hpp"
#include "core/analysis/explain.hpp"
#include "core/analysis/memory_read.hpp"
#include "core/analysis/pointer_origin.hpp"
#include "core/analysis/runtime_checks.hpp"
#include "core/analysis/runtime_fatal.hpp"
#include "core/model/signals.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr int kSigIll = 4, kSigAbrt = 6, kSigBus = 7, kSigFpe = 8, kSigSegv = 11;
constexpr int kFpeIntDiv = 1, kFpeIntOvf = 2;
constexpr int kSiKernel = 0x80;  // sent by the kernel itself: x86's general-protection fault
constexpr std::uint64_t kStackGuardGap = 1ull << 20;  // Linux's stack_guard_gap: 256 pages

// Whether the dump holds the byte at PC (a missing module file or an omitted page: it does not).
bool code_readable(const CrashInputs& in, std::uint64_t pc) {
  std::array<std::byte, 1> byte{};
  return static_cast<bool>(in.memory.read(pc, byte));
}

bool contains(const std::string& haystack, std::string_view needle) {
  return haystack.find(needle) != std::string::npos;
}

bool is_heap_message(const std::string& msg) {
  // The checks of glibc's malloc (malloc_printerr) all name the function that noticed.
  static constexpr std::array<std::string_view, 12> kHeap{
      "double free", "free(): ", "malloc(): ", "realloc(): ", "corrupted size vs. prev_size",
      "corrupted double-linked list", "malloc_consolidate(): ", "munmap_chunk(): ", "tcache_thread_shutdown(): ",
      "_int_free", "_int_malloc", "memalign(): "};
  for (auto n : kHeap) {
    if (contains(msg, n)) return true;
  }
  return false;
}

bool has_frame(const ThreadReport& t, std::initializer_list<std::string_view> names) {
  for (const auto& f : t.frames) {
    std::string base = function_base_name(f.function);
    for (auto n : names) {
      if (base == n) return true;
    }
  }
  return false;
}

std::string mapping_words(const Mapping& m) {
  std::string s = m.perms();
  if (!m.path.empty()) s += " " + m.path;
  return s;
}

// The stack a thread runs on: the mapping containing its sp, or, when sp has left every mapping
// (it moved past the stack's end), the nearest mapping above it within the guard gap.
const Mapping* stack_mapping(const ProcessDump& dump, std::uint64_t sp) {
  if (const Mapping* m = dump.mapping_at(sp); m != nullptr && (m->flags & kWrite) != 0) return m;
  const Mapping* best = nullptr;
  for (const auto& m : dump.mappings) {
    if (m.start > sp && m.start - sp <= kStackGuardGap && (m.flags & kWrite) != 0 &&
        (best == nullptr || m.start < best->start)) {
      best = &m;
    }
  }
  return best;
}

struct Rule {
  const char* category;
  const char* severity;
};
constexpr Rule kNullRead{"null-pointer-read", "probably-not-exploitable"};
constexpr Rule kNullWrite{"null-pointer-write", "probably-exploitable"};
constexpr Rule kNullCall{"null-pointer-call", "probably-exploitable"};
constexpr Rule kWildRead{"wild-read", "unknown"};
constexpr Rule kWildWrite{"wild-write", "exploitable"};
constexpr Rule kReadonly{"write-to-readonly", "exploitable"};
constexpr Rule kExecFault{"exec-non-executable", "exploitable"};
constexpr Rule kStackOverflow{"stack-overflow", "probably-not-exploitable"};
constexpr Rule kAssert{"assertion-failed", "unknown"};
constexpr Rule kAbort{"abort", "unknown"};
constexpr Rule kHeap{"heap-corruption", "exploitable"};
constexpr Rule kStackSmash{"stack-smashing", "exploitable"};
constexpr Rule kException{"uncaught-exception", "unknown"};
constexpr Rule kDivide{"divide-by-zero", "probably-not-exploitable"};
// An instruction the cpu does not know: where the program jumped into data, as likely exploitable
// as CASR's BadInstruction; ud2 and its kind are traps a compiler or a program planted on purpose.
constexpr Rule kIllegal{"illegal-instruction", "probably-exploitable"};
constexpr Rule kPlantedTrap{"illegal-instruction", "probably-not-exploitable"};
// Control flow (control_flow.hpp): CERT's and CASR's ReturnAv, CallAv, BranchAv and their
// tainted kinds, all exploitable: the attacker's bytes choose where execution goes.
constexpr Rule kBadReturn{"bad-return", "exploitable"};
constexpr Rule kWildCall{"wild-call", "exploitable"};
constexpr Rule kWildJump{"wild-jump", "exploitable"};
constexpr Rule kTaintedWrite{"tainted-write", "exploitable"};
constexpr Rule kTaintedCall{"tainted-call", "exploitable"};
constexpr Rule kTaintedJump{"tainted-jump", "exploitable"};
// _FORTIFY_SOURCE stopped the copy before it wrote (CASR's SafeFunctionCheck).
constexpr Rule kFortify{"fortify-check", "probably-not-exploitable"};
constexpr Rule kBus{"bus-error", "unknown"};
constexpr Rule kKilled{"killed", "probably-not-exploitable"};
constexpr Rule kRustPanic{"rust-panic", "probably-not-exploitable"};  // a checked failure of safe code
constexpr Rule kQtFatal{"qt-fatal", "unknown"};
constexpr Rule kUnknown{"unknown", "unknown"};

Classified make(const Rule& r, std::string rule, std::string detail = {}) {
  Classified c;
  c.classification.category = r.category;
  c.classification.severity = r.severity;
  c.classification.rule = std::move(rule);
  c.detail = std::move(detail);
  return c;
}

// The first frame that is the program's own: not skipped, with a name, and not a library's inline
// wrapper expanded into it (glibc's fortified strcpy from /usr/include/.../string_fortified.h).
const Frame* first_own_frame(const ThreadReport& t, const SkipList& skip, std::size_t from = 0) {
  for (std::size_t i = from; i < t.frames.size(); ++i) {
    const Frame& f = t.frames[i];
    if (f.function.empty() || skip.matches(f.function)) continue;
    if (f.inlined && f.file.starts_with("/usr/include/")) continue;
    return &f;
  }
  return t.frames.empty() ? nullptr : &t.frames.front();
}

// "__stack_chk_fail, called from copy_name's PLT" / "__stack_chk_fail on the stack".
std::string check_words(const RuntimeCheckHit& hit) {
  return hit.function + (hit.through_import ? " called through the caller's PLT/GOT" : " on the stack");
}

Classified classify_abort(const CrashInputs& in, const ThreadReport& crashed, const SkipList& skip) {
  std::string msg;
  if (in.symbols != nullptr) {
    if (auto m = read_abort_message(in.memory, *in.symbols, in.dump.arch)) msg = *m;
  }
  auto dis = make_disassembler(in.dump.arch, &crashed.registers);
  std::optional<RuntimeCheckHit> hit =
      find_runtime_check(crashed, in.dump, in.memory, dis ? dis->get() : nullptr);
  RuntimeCheck check = hit ? hit->check : RuntimeCheck::none;
  Classified c;
  std::size_t site_from = 0;
  if ((!msg.empty() && is_heap_message(msg)) || check == RuntimeCheck::heap) {
    c = make(kHeap, check == RuntimeCheck::heap ? "malloc's check: " + check_words(*hit)
                                                : "glibc's malloc reported an inconsistency (__abort_msg)",
             "heap corruption detected by glibc");
  } else if (check == RuntimeCheck::stack_protector || contains(msg, "stack smashing detected")) {
    c = make(kStackSmash, check == RuntimeCheck::stack_protector ? "the stack protector: " + check_words(*hit)
                                                                 : "glibc's stack protector message (__abort_msg)",
             "stack smashing detected: a stack buffer overflow overwrote the canary");
  } else if (check == RuntimeCheck::fortify || contains(msg, "buffer overflow detected")) {
    c = make(kFortify, check == RuntimeCheck::fortify ? "_FORTIFY_SOURCE: " + check_words(*hit)
                                                      : "glibc's fortify message (__abort_msg)",
             "buffer overflow detected by _FORTIFY_SOURCE" +
                 (check == RuntimeCheck::fortify && hit->function.ends_with("_chk") ? " (" + hit->function + ")" : std::string()) +
                 ": the copy was stopped before it wrote");
  } else if (check == RuntimeCheck::assertion || (contains(msg, "Assertion") && contains(msg, "failed"))) {
    c = make(kAssert, check == RuntimeCheck::assertion ? check_words(*hit) : "assertion message in __abort_msg",
             "assertion failed");
  } else if (is_rust_panic(crashed)) {
    c = make(kRustPanic, "std's panic machinery (rust_panic, __rust_start_panic) on the stack", "Rust panic");
    if (in.symbols != nullptr) {
      if (auto m = find_rust_panic_message(crashed, in.memory, *in.symbols)) {
        msg = m->message;
        if (!m->note.empty()) c.detail += " (" + m->note + ")";
      }
    }
  } else if (is_qt_fatal(crashed)) {
    c = make(kQtFatal, "QMessageLogger::fatal (qFatal, Q_ASSERT) on the stack", "qFatal");
    if (dis) {
      if (auto m = find_qt_fatal_message(crashed, in.memory, **dis)) {
        msg = m->message;
        if (!m->note.empty()) c.detail += " (" + m->note + ")";
      }
    }
  } else if (has_frame(crashed, {"__cxa_throw", "__cxa_rethrow", "std::terminate", "__cxxabiv1::__terminate",
                                 "std::rethrow_exception"})) {
    c = make(kException, "std::terminate / __cxa_throw on the stack", "uncaught C++ exception");
    if (auto ex = find_inflight_exception(crashed, in.memory, in.symbols, in.dump.arch)) {
      c.classification.exception_type = ex->type;
      msg = ex->what;
      c.detail = "uncaught exception " + ex->type + (ex->note.empty() ? "" : " (" + ex->note + ")");
    }
  } else {
    std::string rule = msg.empty() ? "SIGABRT raised by the process itself" : "SIGABRT with a message in __abort_msg";
    if (check == RuntimeCheck::abort) rule += " (" + check_words(*hit) + ")";
    c = make(kAbort, rule, "abort() called");
  }
  // The check's caller is where the program was: the frame that called through its PLT, or the
  // first own frame past the check's function.
  if (hit && hit->check == check) site_from = hit->through_import ? hit->frame : hit->frame + 1;
  // glibc ends its messages with a newline; the report shows one line.
  while (!msg.empty() && (msg.back() == '\n' || msg.back() == ' ')) msg.pop_back();
  c.classification.message = printable(msg);
  c.site = first_own_frame(crashed, skip, site_from);
  return c;
}

// The function whose call left RETURN_ADDRESS (a frame the unwinder may have missed: it cannot use
// CFI at a pc outside every module).
std::optional<Frame> caller_at(const CrashInputs& in, std::uint64_t return_address) {
  if (in.symbols == nullptr || return_address == 0) return std::nullopt;
  auto name = in.symbols->name_at(return_address - 1);
  if (!name) return std::nullopt;
  Frame caller;
  caller.pc = return_address;
  caller.lookup_pc = return_address - 1;
  caller.function = *name;
  caller.trust = FrameTrust::scan;
  caller.origin = FrameOrigin::scan;
  for (const auto& m : in.report.modules) {
    if (return_address >= m.start && return_address < m.end) caller.module = m.path;
  }
  return caller;
}

// A flow class (control_flow.hpp) as a classification.
Classified from_flow(const FlowFault& f) {
  static constexpr std::array<std::pair<FlowClass, const Rule*>, 7> kRules{{
      {FlowClass::bad_return, &kBadReturn},
      {FlowClass::wild_call, &kWildCall},
      {FlowClass::wild_jump, &kWildJump},
      {FlowClass::null_call, &kNullCall},
      {FlowClass::tainted_write, &kTaintedWrite},
      {FlowClass::tainted_call, &kTaintedCall},
      {FlowClass::tainted_jump, &kTaintedJump},
  }};
  for (const auto& [kind, rule] : kRules) {
    if (kind == f.kind) return make(*rule, f.rule, f.detail);
  }
  return make(kUnknown, f.rule, f.detail);
}

// Why the bytes at PC are not available, and how to provide them.
std::string missing_code_words(const CrashInputs& in, std::uint64_t pc) {
  const ModuleReport* module = nullptr;
  for (const auto& m : in.report.modules) {
    if (pc >= m.start && pc < m.end) module = &m;
  }
  std::string s = "the instruction at " + hex(pc) + " is not available: the core does not save file-backed code";
  if (module == nullptr) return s + " and no module covers the pc";
  std::string build_id = module->build_id.empty() ? std::string() : " (build-id " + module->build_id + ")";
  if (module->symbols == SymbolSource::mismatch) {
    s += ", and " + module->path + " is another build" + (module->symbols_note.empty() ? build_id : ": " + module->symbols_note);
  } else if (module->file.empty()) {
    s += ", and " + module->path + " was not found" + build_id;
  } else {
    s += ", and " + module->file + " does not hold it";
  }
  s += module->is_main_executable ? "; give the executable with --exe FILE" : "; give the library with --sysroot DIR";
  s += ", --debug-dir DIR or from debuginfod (DEBUGINFOD_URLS)";
  return s;
}

// A memory fault whose instruction could not be read: what the signal, si_code, fault address and
// the mappings say, and no more. Never exploitable: the facts that would say so are missing.
Classified classify_without_code(const CrashInputs& in, const SignalReport& sig, std::optional<std::uint64_t> addr,
                                 std::uint64_t pc) {
  static constexpr Rule kNullAccess{"null-pointer-access", "unknown"};
  static constexpr Rule kWildAccess{"wild-access", "unknown"};
  const std::string missing = missing_code_words(in, pc);
  Classified c;
  const std::string at = addr ? " at " + hex(*addr) : std::string();
  const Mapping* target = addr ? in.dump.mapping_at(*addr) : nullptr;
  if (!addr) {
    c = make(kUnknown, "memory fault without a fault address or an instruction", "memory fault");
  } else if (*addr < kNullPageLimit) {
    c = make(kNullAccess, "fault address below " + hex(kNullPageLimit) + ", instruction unavailable",
             "NULL pointer access" + at + " (read or write unknown)");
  } else if (target == nullptr) {
    c = make(kWildAccess, sig.code_name + " at an address outside every mapping, instruction unavailable",
             "access" + at + ", an address not mapped (wild pointer; read or write unknown)");
  } else {
    c = make(kWildAccess, sig.code_name + " in " + mapping_words(*target) + ", instruction unavailable",
             "access" + at + " without permission (" + mapping_words(*target) + "; read or write unknown)");
  }
  c.after_site = "; " + missing;
  return c;
}

Classified classify_memory_fault(const CrashInputs& in, const ThreadReport& crashed, const FaultExplanation& fault,
                                 const DecodedInstruction* insn, const SignalReport& sig) {
  const ProcessDump& dump = in.dump;
  auto pc = register_value(crashed.registers, pc_register(dump.arch));
  if (!pc && !crashed.frames.empty()) pc = crashed.frames.front().pc;
  if (!pc) pc = fault.pc;
  auto sp = register_value(crashed.registers, sp_register(dump.arch));
  std::optional<std::uint64_t> addr = sig.address;
  // A general-protection fault (non-canonical address) carries si_addr 0: trust the decoded one.
  if ((!addr || (*addr == 0 && sig.code == 0x80)) && fault.address) addr = fault.address;

  // Execution: the pc itself faulted, or it is where nothing executable is.
  const Mapping* pc_map = dump.mapping_at(*pc);
  bool pc_in_module = false;
  for (const auto& m : dump.modules) pc_in_module |= *pc >= m.start && *pc < m.end;
  // The code at the pc could not be read although its mapping is executable (explain.cpp then
  // leaves no instruction): classified below from the signal and the mappings alone.
  const bool code_missing = fault.instruction.empty() && pc_map != nullptr && (pc_map->flags & kExec) != 0 &&
                            !(addr && *addr == *pc);
  bool exec_fault = (addr && *addr == *pc) || (pc_map != nullptr && (pc_map->flags & kExec) == 0) ||
                    (pc_map == nullptr && !pc_in_module) || (fault.access == "execute" && !code_missing);
  auto dis = make_disassembler(dump.arch, &crashed.registers);
  if (exec_fault && dis) {
    // How it got there: a call leaves its return site at [sp], a ret the popped slot below sp.
    if (auto flow = classify_arrival(dump, in.memory, **dis, crashed.registers, *pc)) {
      Classified c = from_flow(*flow);
      if (flow->caller_return) {
        std::uint64_t ret = *flow->caller_return;
        if (dump.arch == Arch::arm) ret &= ~std::uint64_t{1};  // a Thumb return address
        if (auto caller = caller_at(in, ret)) {
          c.detail += ", called from " + caller->function;
          c.recovered_caller = std::move(caller);
        }
      }
      return c;
    }
  }
  if (exec_fault) {
    Classified c = *pc < kNullPageLimit
                       ? make(kNullCall, "pc " + hex(*pc) + " is in the NULL page", "call through a NULL function pointer")
                       : make(kExecFault, "pc " + hex(*pc) + " " +
                                              (pc_map != nullptr ? "in " + mapping_words(*pc_map) + ", which is not executable"
                                                                 : "outside every mapping"),
                              pc_map != nullptr ? "execution of non-executable memory (" + mapping_words(*pc_map) + ")"
                                                : "jump to an address outside every mapping");
    // A call left its return address at [sp] (x86) or in the link register just before the
    // jump: it names the caller.
    std::optional<std::uint64_t> ret;
    if (std::string_view lr = link_register(dump.arch); !lr.empty()) ret = register_value(crashed.registers, lr);
    else if (sp) ret = read_pointer(in.memory, *sp, dump.arch);
    if (ret && dump.arch == Arch::arm) *ret &= ~std::uint64_t{1};  // a Thumb return address
    if (ret) {
      if (auto caller = caller_at(in, *ret)) {
        c.detail += ", called from " + caller->function;
        c.recovered_caller = std::move(caller);
      }
    }
    return c;
  }
  // Stack overflow: the fault lies in the guard gap just below the thread's stack, or sp left it.
  if (sp) {
    const Mapping* stack = stack_mapping(dump, *sp);
    const Mapping* sp_map = dump.mapping_at(*sp);
    bool sp_outside = sp_map == nullptr || (sp_map->flags & (kRead | kWrite)) == 0;
    // Within the guard gap below the stack and below sp: a push, a call, or a store into a new
    // frame (ppc64's stdu writes the whole frame's size below sp).
    if (stack != nullptr && addr && *addr < stack->start && stack->start - *addr <= kStackGuardGap &&
        *addr + kStackGuardGap >= *sp) {
      return make(kStackOverflow, "fault address within the guard gap below the stack of sp",
                  "stack overflow: " + hex(*addr) + " is " + std::to_string((stack->start - *addr + 1023) / 1024) +
                      " KiB below the stack (" + hex(stack->start) + "-" + hex(stack->end) + ")");
    }
    if (sp_outside && stack != nullptr) {
      return make(kStackOverflow, "sp " + hex(*sp) + " is outside its stack mapping",
                  "stack overflow: sp " + hex(*sp) + " is below the stack (" + hex(stack->start) + "-" +
                      hex(stack->end) + ")");
    }
  }

  if (code_missing && fault.access.empty()) return classify_without_code(in, sig, addr, *pc);

  // The faulting instruction is a ret, or an indirect call or jump, with a bad target or a
  // target read from a bad address.
  const bool gp_fault = sig.code == kSiKernel;
  if (insn != nullptr) {
    if (auto flow = classify_branch(dump, in.memory, crashed.registers, *insn, addr, gp_fault)) return from_flow(*flow);
  }

  bool write = fault.access == "write";
  bool read = fault.access == "read";
  if (insn != nullptr && insn->memory.empty() && !fault.instruction.empty()) {
    // No memory operand decoded but a memory fault: say so rather than guess the direction.
    return make(kUnknown, "memory fault, but " + fault.instruction + " has no memory operand",
                "memory fault at " + (addr ? hex(*addr) : std::string("?")));
  }
  if (addr && *addr < kNullPageLimit) {
    // Named by DWARF: "of h->len" says more than the offset ("NULL + 0x8").
    std::string expr = accessed_expression(fault);
    std::string what = !expr.empty() ? (write ? " to " : " of ") + expr : *addr == 0 ? "" : " (NULL + " + hex(*addr) + ")";
    if (write) return make(kNullWrite, "write fault below " + hex(kNullPageLimit), "NULL pointer write" + what);
    return make(kNullRead, std::string(read ? "read" : "access") + " fault below " + hex(kNullPageLimit),
                "NULL pointer dereference" + what);
  }
  const Mapping* target = addr ? dump.mapping_at(*addr) : nullptr;
  if (write && target != nullptr && (target->flags & kWrite) == 0) {
    return make(kReadonly, "write to a mapping without write permission",
                "the memory is read-only (" + mapping_words(*target) + ")");
  }
  std::string what = target == nullptr ? "address not mapped (wild pointer)"
                                       : "no permission for it (" + mapping_words(*target) + ")";
  if (write) return make(kWildWrite, "write fault at a mapped-out or forbidden address", what);
  if (read && insn != nullptr && dis) {
    // What the value it was loading was for: a write address or a branch target is the
    // attacker's choice too (CERT's tainted rules).
    if (auto flow = classify_tainted_read(in.memory, **dis, *insn)) {
      Classified c = from_flow(*flow);
      c.classification.rule = "read fault at a wild address; " + c.classification.rule;
      c.detail = what + "; " + c.detail;
      return c;
    }
  }
  if (read) return make(kWildRead, "read fault at a mapped-out or forbidden address", what);
  return make(kWildRead, "memory fault, access kind unknown (the instruction could not be decoded)", what);
}

}  // namespace

std::optional<std::string> read_abort_message(const MemorySource& memory, const SymbolLookup& symbols, Arch arch) {
  auto sym = symbols.address_of("__abort_msg");
  if (!sym) return std::nullopt;
  auto ptr = read_pointer(memory, *sym, arch);
  if (!ptr || *ptr == 0) return std::nullopt;
  // struct abort_msg_s { unsigned int size; char msg[]; }: SIZE is the whole mmap'd buffer.
  auto size = read_uint(memory, *ptr, arch);
  if (!size || *size <= 4) return std::nullopt;
  return read_cstring(memory, *ptr + 4, std::min<std::size_t>(*size - 4, 4096));
}

Classified classify_crash(const CrashInputs& in, const ThreadReport& crashed, const FaultExplanation& fault,
                          const DecodedInstruction* insn, const SkipList& skip) {
  const auto& sig = in.report.signal;
  if (!sig) return make(kUnknown, "no signal recorded in the core");
  std::optional<std::int32_t> pid = in.report.process.pid;
  bool sent = si_code_has_sender(sig->number, sig->code);
  Classified c;
  if (sent && sig->sender_pid && pid && *sig->sender_pid != *pid) {
    c = make(kKilled, "si_code " + sig->code_name + " from another process",
             "killed by " + sig->name + " sent by pid " + std::to_string(*sig->sender_pid) +
                 (sig->sender_uid ? " (uid " + std::to_string(*sig->sender_uid) + ")" : std::string()));
    return c;
  }
  switch (sig->number) {
    case kSigAbrt:
      return classify_abort(in, crashed, skip);
    case kSigSegv:
      c = classify_memory_fault(in, crashed, fault, insn, *sig);
      break;
    case kSigBus:
      c = make(kBus, "SIGBUS (" + sig->code_name + ")",
               "bus error" + (sig->address ? " at " + hex(*sig->address) : std::string()) +
                   (sig->code_description.empty() ? "" : ": " + sig->code_description));
      break;
    case kSigFpe:
      if (sig->code == kFpeIntDiv || sig->code == kFpeIntOvf || (insn != nullptr && insn->is_divide)) {
        c = make(kDivide, "SIGFPE " + sig->code_name,
                 sig->code == kFpeIntOvf ? "integer division overflow" : "integer division by zero");
      } else {
        c = make(kUnknown, "SIGFPE " + sig->code_name, "floating-point exception: " + sig->code_description);
      }
      break;
    case kSigIll:
      if (insn == nullptr && fault.instruction.empty() && fault.pc != 0 && !code_readable(in, fault.pc)) {
        // Whether the bytes were a planted trap or garbage is what the missing code would say.
        // (Bytes that are there but decode to no instruction are garbage: the case below.)
        c = make(Rule{"illegal-instruction", "unknown"}, "SIGILL " + sig->code_name + ", instruction unavailable",
                 "illegal instruction (" + sig->code_description + ")");
        c.after_site = "; " + missing_code_words(in, fault.pc);
      } else if (insn != nullptr && insn->is_undefined) {
        c = make(kPlantedTrap, "SIGILL " + sig->code_name + " at " + insn->mnemonic,
                 "deliberately undefined instruction (a trap the compiler or program planted)");
      } else {
        c = make(kIllegal, "SIGILL " + sig->code_name + (insn != nullptr ? " at " + insn->mnemonic : std::string(", no valid instruction at the pc")),
                 "illegal instruction: not a trap any compiler plants (code corrupted, or a jump into data)");
      }
      break;
    default:
      c = make(kUnknown, "no rule for " + sig->name, sig->name + " (" + sig->description + ")");
      break;
  }
  const std::string& cat = c.classification.category;
  bool jumped = cat == kNullCall.category || cat == kExecFault.category ||
                (c.recovered_caller.has_value() && cat == kWildCall.category) ||
                (cat == kBadReturn.category && !crashed.frames.empty() && crashed.frames.front().function.empty());
  if (c.site == nullptr && !crashed.frames.empty() && !jumped) c.site = &crashed.frames.front();
  return c;
}

}  // namespace corelens
