#include "core/analysis/crash_analysis.hpp"

#include "core/analysis/classify.hpp"
#include "core/analysis/explain.hpp"
#include "core/analysis/pointer_origin.hpp"
#include "core/analysis/rust_names.hpp"
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

  std::optional<DecodedInstruction> insn;
  FaultExplanation fault;
  auto dis = make_disassembler(in.dump.arch, &crashed->registers);
  if (dis) {
    DecodedFault d = explain_instruction(*crashed, in.report.signal, in.memory, **dis, in.variables);
    fault = std::move(d.fault);
    insn = std::move(d.instruction);
  }
  Classified c = classify_crash(in, *crashed, fault, insn ? &*insn : nullptr, skip);
  a.classification = c.classification;
  // The decoded access explains memory faults; for the others the instruction alone is kept.
  if (fault.pc != 0 || !fault.instruction.empty() || !fault.access.empty()) a.fault = fault;
  const bool derived = !(in.report.signal && in.report.signal->address) && a.fault && a.fault->address;
  const bool gp = in.report.signal && in.report.signal->number == 11 && in.report.signal->code == 0x80;
  a.why = why_sentence(a, c, insn ? &*insn : nullptr, *crashed, derived, gp);
  if (c.recovered_caller && (crashed->frames.size() < 2 || crashed->frames[1].function != c.recovered_caller->function)) {
    // The unwinder missed the caller of a jump to nowhere: sign with the one found at [sp].
    ThreadReport repaired = *crashed;
    repaired.frames.insert(repaired.frames.begin() + (repaired.frames.empty() ? 0 : 1), *c.recovered_caller);
    a.signature = make_signature(repaired, a.classification.category, skip);
  } else {
    a.signature = make_signature(*crashed, a.classification.category, skip);
  }
  return a;
}

}  // namespace corelens
