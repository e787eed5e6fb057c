#include "core/analysis/crash_analysis.hpp"

#include <array>

#include "core/analysis/classify.hpp"
#include "core/analysis/explain.hpp"
#include "core/analysis/pointer_origin.hpp"
#include "core/analysis/raised_signals.hpp"
#include "core/analysis/rust_names.hpp"
#include "core/model/signals.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

std::string basename_of(const std::string& path) {
  auto pos = path.find_last_of('/');
  return pos == std::string::npos ? path : path.substr(pos + 1);
}

// "in f3 at null_read.c:15"
std::string site_words(const Frame* f) {
  if (f == nullptr) return {};
  std::string s = " in " + (f->function.empty() ? hex(f->pc) : rust_readable(f->function));
  if (!f->file.empty()) {
    s += " at " + basename_of(f->file);
    if (f->line) s += ":" + std::to_string(f->line);
  } else if (!f->module.empty()) {
    s += " (" + basename_of(f->module) + ")";
  }
  return s;
}

std::string why_sentence(const CrashAnalysis& a, const Classified& c, const DecodedInstruction* insn,
                         const ThreadReport& crashed, bool derived_address, bool gp_fault) {
  const std::string& cat = a.classification.category;
  const std::string& msg = a.classification.message;
  std::string where = site_words(c.site);
  if (cat == "killed") return c.detail;
  if (cat == "assertion-failed" || cat == "abort" || cat == "heap-corruption" || cat == "stack-smashing" ||
      cat == "rust-panic" || cat == "qt-fatal") {
    return c.detail + where + (msg.empty() ? "" : ": " + msg);
  }
  if (cat == "uncaught-exception") {
    std::string s = c.detail;
    if (!msg.empty()) s += ": " + msg;
    return s + (c.site != nullptr ? ", thrown" + where : "");
  }
  if (cat == "divide-by-zero" && insn != nullptr) {
    std::string s = insn->text;
    if (!insn->registers_read.empty() && insn->memory.empty()) {
      // div/idiv with a register divisor: its value is the proof.
      if (auto v = register_value(crashed.registers, insn->registers_read.front())) {
        s += " with " + insn->registers_read.front() + " = " + hex(*v);
      }
    }
    return s + ": " + c.detail + where;
  }
  if (cat == "illegal-instruction" && insn != nullptr) return insn->text + ": " + c.detail + where;
  // A general-protection fault has no faulting address: the branch itself is the fact.
  if (gp_fault && insn != nullptr && (cat == "bad-return" || cat == "wild-call" || cat == "wild-jump")) {
    return insn->text + ": " + c.detail + where;
  }
  if (cat == "fortify-check") return c.detail + where + (msg.empty() ? "" : ": " + msg);
  std::string access = a.fault ? describe_access(*a.fault) : std::string();
  // qemu-user cores (and cores whose NT_SIGINFO is lost) record no fault address: the one named
  // is the instruction's, evaluated on the registers. Said so, since nothing confirms it.
  if (derived_address && !access.empty() && a.fault->access != "execute") {
    access += " (address computed from the registers: the core records no fault address)";
  }
  std::string s = access.empty() ? c.detail : access + (c.detail.empty() ? "" : ": " + c.detail);
  // What the access touched, by DWARF; the NULL categories already say it ("... of h->len").
  std::string expr = a.fault ? accessed_expression(*a.fault) : std::string();
  bool said = cat == "null-pointer-read" || cat == "null-pointer-write";
  if (!expr.empty() && !said && (a.fault->access == "read" || a.fault->access == "write")) {
    s += (a.fault->access == "write" ? ", writing " : ", reading ") + expr;
  }
  return s + where;
}

std::vector<HealthItem> core_health(const Report& r) {
  std::vector<HealthItem> out;
  for (const auto& d : r.diagnostics) {
    const std::string& code = d.code;
    std::string kind;
    if (code.find("truncated") != std::string::npos) kind = "truncated";
    else if (code == "notes-missing" || code == "no-siginfo" || code == "no-prpsinfo" || code == "no-file-note")
      kind = "missing-note";
    else if (code == "module-file-missing") kind = "module-missing";
    else if (code == "module-build-id-mismatch") kind = "module-mismatch";
    else if (d.severity == Severity::info) continue;
    else kind = "other";
    out.push_back({kind, d.message});
  }
  if (const ThreadReport* t = r.crashed_thread(); t != nullptr && !t->unwind.complete()) {
    out.push_back({"unwind-incomplete", "the crashing thread's stack is incomplete: " + describe(t->unwind)});
  }
  return out;
}

// Classification, fault, why and signature of CRASHED (the report's crashed thread, or the frames
// a signal interrupted before a handler re-raised it). ACCESS_HINT: the access as the CPU reported
// it (a page fault's error code), used when the instruction cannot be read.
void analyze_thread(const CrashInputs& in, const ThreadReport& crashed, const SkipList& skip, CrashAnalysis& a,
                    const std::string& access_hint) {
  std::optional<DecodedInstruction> insn;
  FaultExplanation fault;
  auto dis = make_disassembler(in.dump.arch, &crashed.registers);
  if (dis) {
    DecodedFault d = explain_instruction(crashed, in.report.signal, in.memory, **dis, in.variables);
    fault = std::move(d.fault);
    // No bytes at a pc in an executable mapping: the code is not in the core and its file is
    // missing or another build. Nothing says the pc itself faulted: the access is unknown, or the
    // one the CPU reported (ACCESS_HINT).
    const Mapping* pc_map = in.dump.mapping_at(fault.pc);
    if (fault.instruction.empty() && fault.access == "execute" && pc_map != nullptr && (pc_map->flags & kExec) != 0 &&
        !(in.report.signal && in.report.signal->address == fault.pc)) {
      fault.access = access_hint == "execute" ? std::string() : access_hint;
      fault.address = in.report.signal ? in.report.signal->address : std::nullopt;
      fault.matches_fault_address.reset();
    }
    insn = std::move(d.instruction);
  }
  Classified c = classify_crash(in, crashed, fault, insn ? &*insn : nullptr, skip);
  a.classification = c.classification;
  // The decoded access explains memory faults; for the others the instruction alone is kept.
  if (fault.pc != 0 || !fault.instruction.empty() || !fault.access.empty()) a.fault = fault;
  const bool derived = !(in.report.signal && in.report.signal->address) && a.fault && a.fault->address;
  const bool gp = in.report.signal && in.report.signal->number == 11 && in.report.signal->code == 0x80;
  a.why = why_sentence(a, c, insn ? &*insn : nullptr, crashed, derived, gp) + c.after_site;
  if (c.recovered_caller && (crashed.frames.size() < 2 || crashed.frames[1].function != c.recovered_caller->function)) {
    // The unwinder missed the caller of a jump to nowhere: sign with the one found at [sp].
    ThreadReport repaired = crashed;
    repaired.frames.insert(repaired.frames.begin() + (repaired.frames.empty() ? 0 : 1), *c.recovered_caller);
    a.signature = make_signature(repaired, a.classification.category, skip);
  } else {
    a.signature = make_signature(crashed, a.classification.category, skip);
  }
}

// The first frame past FROM that is the program's own: in the main executable and not on the
// skip list, else named and not on the skip list (a thread parked in libc's pause is the
// program's caller of pause). An executable whose code lives in a library (python3 over
// libpython) has only _start on the stack: that is the C runtime's, not the program's.
const Frame* own_frame_from(const ThreadReport& t, const SkipList& skip, std::size_t from,
                            const std::string& executable) {
  for (std::size_t i = from; i < t.frames.size(); ++i) {
    if (!executable.empty() && t.frames[i].module == executable && !skip.matches(t.frames[i].function)) {
      return &t.frames[i];
    }
  }
  for (std::size_t i = from; i < t.frames.size(); ++i) {
    if (!t.frames[i].function.empty() && !skip.matches(t.frames[i].function)) return &t.frames[i];
  }
  return from < t.frames.size() ? &t.frames[from] : nullptr;
}

// The same report with ORIGINAL as its crashed thread and SIGNAL as its signal: how the crash
// looked before a handler (or the kernel, at a pending signal) turned it into a raised one.
Report with_crash(const Report& report, const ThreadReport& original, const SignalReport& signal) {
  Report copy = report;
  copy.signal = signal;
  for (auto& t : copy.threads) {
    if (t.crashed) t = original;
  }
  return copy;
}

// Whether the crashed thread's pc is in executable memory whose bytes cannot be read.
bool code_unavailable(const CrashInputs& in, const ThreadReport& crashed) {
  auto pc = register_value(crashed.registers, pc_register(in.dump.arch));
  if (!pc && !crashed.frames.empty()) pc = crashed.frames.front().pc;
  const Mapping* m = pc ? in.dump.mapping_at(*pc) : nullptr;
  std::array<std::byte, 1> byte{};
  return m != nullptr && (m->flags & kExec) != 0 && !in.memory.read(*pc, byte);
}

// A fault signal the process sent itself (is_sent_fault_signal, si_pid = its own pid). Three
// cases: a handler caught a real fault and raised the signal again (the kernel's signal frame
// holds the first delivery: analysed as that fault); a handler raised it without unblocking it,
// so the kernel delivered it when the handler returned, at the instruction that faults (analysed
// as that instruction's fault); or nothing faulted: raise, kill, tgkill or another thread's
// pthread_kill ("raised-signal").
void analyze_raised(const CrashInputs& in, const ThreadReport& crashed, const SkipList& skip, CrashAnalysis& a) {
  const SignalReport& sig = *in.report.signal;
  const std::string raised = sig.name + " " + sig.code_name + " from the process itself (pid " +
                             std::to_string(*sig.sender_pid) + ")";
  auto first = read_first_delivery(crashed, in.memory, in.dump.arch, sig.number);
  if (first && !first->source.empty() && !si_code_has_sender(first->signal.number, first->signal.code)) {
    ThreadReport original = crashed;
    original.frames.assign(crashed.frames.begin() + static_cast<std::ptrdiff_t>(first->interrupted_frame),
                           crashed.frames.end());
    // Registers the sigcontext does not hold (fs_base, segment selectors) are the thread's own.
    for (const auto& r : crashed.registers) {
      if (!register_value(first->registers, r.name)) first->registers.push_back(r);
    }
    original.registers = first->registers;
    Report copy = with_crash(in.report, original, first->signal);
    CrashInputs again{copy, in.dump, in.memory, in.symbols, in.variables, in.skip};
    analyze_thread(again, original, skip, a, first->access);
    std::string handler = first->handler.empty() ? std::string("a signal handler") : "the handler " + rust_readable(first->handler);
    a.why += "; caught by " + handler + ", which raised it again (" + raised + ")";
    a.classification.rule += "; the first delivery (" + first->signal.name + " " + first->signal.code_name +
                             ") read from the kernel's signal frame (" +
                             (first->source == "siginfo" ? "its siginfo" : "the trap number, error code and cr2") + ")";
    return;
  }
  const bool in_handler = first.has_value();
  auto sender = signal_sending_frame(crashed);
  if (!sender && !in_handler && sig.number == 11) {
    // Raised again inside a handler while blocked: delivered when the handler returned, at the
    // instruction that had faulted. The instruction names the access; the mapping says it faults.
    auto dis = make_disassembler(in.dump.arch, &crashed.registers);
    if (dis) {
      DecodedFault d = explain_instruction(crashed, std::nullopt, in.memory, **dis, in.variables);
      const FaultExplanation& f = d.fault;
      const Mapping* target = f.address ? in.dump.mapping_at(*f.address) : nullptr;
      bool faults = d.instruction && f.address && (f.access == "read" || f.access == "write") &&
                    (*f.address < kNullPageLimit || target == nullptr || (f.access == "write" && (target->flags & kWrite) == 0) ||
                     (target->flags & kRead) == 0);
      if (faults) {
        SignalReport fault_signal = sig;
        SiCodeText code = describe_si_code(11, target == nullptr || *f.address < kNullPageLimit ? 1 : 2);
        fault_signal.code = target == nullptr || *f.address < kNullPageLimit ? 1 : 2;
        fault_signal.code_name = code.name;
        fault_signal.code_description = code.description;
        fault_signal.address = f.address;
        fault_signal.sender_pid.reset();
        fault_signal.sender_uid.reset();
        Report copy = with_crash(in.report, crashed, fault_signal);
        CrashInputs again{copy, in.dump, in.memory, in.symbols, in.variables, in.skip};
        analyze_thread(again, crashed, skip, a, {});
        a.why += "; the signal itself is " + raised +
                 ": a handler raised it again, and the kernel delivered it at this instruction when the handler returned";
        a.classification.rule += "; " + sig.code_name + " at an instruction whose access faults (address from the registers)";
        return;
      }
    }
  }
  std::string executable;
  for (const auto& m : in.report.modules) {
    if (m.is_main_executable) executable = m.path;
  }
  a.classification.category = "raised-signal";
  a.classification.severity = "probably-not-exploitable";
  const Frame* site = nullptr;
  if (sender) {
    site = own_frame_from(crashed, skip, *sender + 1, executable);
    a.classification.rule = "si_code " + sig.code_name + " from the process's own pid, " +
                            function_base_name(crashed.frames[*sender].function) + " on the stack";
    a.why = sig.name + " raised by the process itself (raise, kill, tgkill)" + site_words(site);
  } else if (code_unavailable(in, crashed)) {
    // Neither a call that sends signals nor an instruction that faults can be seen at the pc.
    site = own_frame_from(crashed, skip, 0, executable);
    a.classification.severity = "unknown";
    a.classification.rule = "si_code " + sig.code_name + " from the process's own pid; the code at the pc is not available";
    a.why = sig.name + " " + sig.code_name + " from the process itself (pid " + std::to_string(*sig.sender_pid) +
            ") at thread " + std::to_string(crashed.tid) + site_words(site) +
            ": whether a handler raised it again after a fault there or another thread sent it, the missing code "
            "would tell (give the module's file with --exe, --sysroot or debuginfod)";
  } else {
    site = own_frame_from(crashed, skip, 0, executable);
    a.classification.rule = "si_code " + sig.code_name + " from the process's own pid, no call that sends signals "
                            "on the receiving thread";
    a.why = sig.name + " sent by another thread of the process itself (pid " + std::to_string(*sig.sender_pid) +
            ", tgkill or pthread_kill)";
    for (const auto& t : in.report.threads) {
      if (t.crashed) continue;
      if (auto s = signal_sending_frame(t)) {
        a.why += ", by thread " + std::to_string(t.tid) + site_words(own_frame_from(t, skip, *s + 1, executable));
        break;
      }
    }
    a.why += "; thread " + std::to_string(crashed.tid) + " received it" + site_words(site);
  }
  if (in_handler) {
    std::string handler = first->handler.empty() ? std::string("a signal handler") : rust_readable(first->handler);
    a.why += ", in the signal handler " + handler + " (what it caught first is not in the signal frame)";
  }
  a.signature = make_signature(crashed, a.classification.category, skip);
}

}  // namespace

CrashAnalysis analyze_crash(const CrashInputs& in) {
  CrashAnalysis a;
  const SkipList& skip = in.skip != nullptr ? *in.skip : SkipList::builtin();
  a.health = core_health(in.report);
  a.thread_groups = group_threads(in.report.threads);
  const ThreadReport* crashed = in.report.crashed_thread();
  if (crashed == nullptr) {
    a.classification.rule = "no crashed thread in the core";
    a.why = "no thread is marked as having received a signal";
    a.signature = make_signature(ThreadReport{}, a.classification.category, skip);
    return a;
  }

  const auto& sig = in.report.signal;
  if (sig && is_sent_fault_signal(*sig) && sig->sender_pid && in.report.process.pid &&
      *sig->sender_pid == *in.report.process.pid) {
    analyze_raised(in, *crashed, skip, a);
  } else {
    analyze_thread(in, *crashed, skip, a, {});
  }
  return a;
}

}  // namespace corelens
