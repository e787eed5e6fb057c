#include "unwinder/dwfl_backend.hpp"

#include <dwarf.h>
#include <elfutils/libdw.h>
#include <elfutils/libdwfl.h>
#include <fcntl.h>
#include <sys/mman.h>
#include <unistd.h>

#include <array>
#include <cstdlib>
#include <cstring>

#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"
#include "unwinder/arch_registers.hpp"
#include "unwinder/arm_exidx.hpp"
#include "unwinder/call_site_check.hpp"
#include "unwinder/debug_file_cache.hpp"
#include "unwinder/debuginfod_budget.hpp"
#include "unwinder/dwarf_units.hpp"
#include "unwinder/stack_walk.hpp"
#include "unwinder/unwind_rules.hpp"

namespace corelens {
namespace {

// ---- libdwfl callbacks -------------------------------------------------------------------

// Modules are reported with their files already opened; libdwfl must not go looking for others
// (a hostile dump must not make it open arbitrary paths).
int refuse_find_elf(Dwfl_Module*, void**, const char*, Dwarf_Addr, char**, Elf**) { return -1; }

// Thread identities given to libdwfl are index + 1: dwfl needs positive, unique ids, and a
// damaged dump may have neither. Each thread's callback argument is its ThreadArg, which also
// carries the backend (libdwfl hands set_initial_registers nothing else).
pid_t next_thread(Dwfl*, void* arg, void** thread_argp) {
  auto* backend = static_cast<DwflBackend*>(arg);
  std::size_t next = 0;
  if (*thread_argp != nullptr) next = static_cast<DwflBackend::ThreadArg*>(*thread_argp)->index + 1;
  DwflBackend::ThreadArg* t = backend->thread_arg(next);
  if (t == nullptr || t->resume != nullptr) return 0;  // the resume slot is not a thread
  *thread_argp = t;
  return static_cast<pid_t>(next + 1);
}

bool get_thread(Dwfl*, pid_t tid, void* arg, void** thread_argp) {
  auto* backend = static_cast<DwflBackend*>(arg);
  if (tid <= 0) return false;
  DwflBackend::ThreadArg* t = backend->thread_arg(static_cast<std::size_t>(tid) - 1);
  if (t == nullptr) return false;
  *thread_argp = t;
  return true;
}

// libdwfl reads address-sized words, in the host's byte order: 4 bytes on i386 and arm, and
// byte-swapped from a big-endian (s390x) target.
bool memory_read(Dwfl*, Dwarf_Addr addr, Dwarf_Word* result, void* arg) {
  auto* backend = static_cast<DwflBackend*>(arg);
  const Arch arch = backend->target().arch();
  const unsigned word = pointer_size(arch);
  std::array<std::byte, 8> bytes{};
  auto r = backend->target().read_memory(addr, std::span(bytes.data(), word));
  if (!r) {
    backend->note_memory_fault(r.error().where.value_or(addr));
    return false;
  }
  ByteReader reader(std::span<const std::byte>(bytes.data(), word), 0, byte_order(arch));
  *result = word == 4 ? Dwarf_Word{*reader.u32(0)} : Dwarf_Word{*reader.u64(0)};
  return true;
}

bool set_initial_registers(Dwfl_Thread* thread, void* thread_arg) {
  auto* t = static_cast<DwflBackend::ThreadArg*>(thread_arg);
  const Target& target = t->backend->target();
  const UnwindArch* arch = unwind_arch(target.arch());
  if (arch == nullptr) return false;
  if (t->resume != nullptr) {
    // Only what the fallback knows: stack pointer, frame pointer, pc.
    Dwarf_Word sp = t->resume->sp;
    if (!dwfl_thread_state_registers(thread, static_cast<int>(arch->sp_regno), 1, &sp)) return false;
    if (t->resume->fp && arch->fp_regno && *arch->fp_regno != arch->sp_regno) {
      Dwarf_Word fp = *t->resume->fp;
      if (!dwfl_thread_state_registers(thread, static_cast<int>(*arch->fp_regno), 1, &fp)) return false;
    }
    for (const auto& [regno, value] : t->resume->registers) {
      Dwarf_Word v = value;
      if (!dwfl_thread_state_registers(thread, static_cast<int>(regno), 1, &v)) return false;
    }
    dwfl_thread_state_register_pc(thread, t->resume->pc);
    return true;
  }
  auto regs = dwarf_registers(target.arch(), target.initial_registers(t->index));
  if (!regs) return false;
  if (!dwfl_thread_state_registers(thread, 0, static_cast<unsigned>(regs->values.size()),
                                   regs->values.data())) {
    return false;
  }
  for (const auto& [regno, value] : regs->extra) {
    Dwarf_Word v = value;
    if (!dwfl_thread_state_registers(thread, static_cast<int>(regno), 1, &v)) return false;
  }
  // Always explicit: libdwfl would otherwise take the pc from the ABI's return-address column,
  // which is the link register (not the pc) on aarch64, arm, ppc64 and s390x.
  if (regs->pc) dwfl_thread_state_register_pc(thread, *regs->pc);
  return true;
}

const Dwfl_Thread_Callbacks kThreadCallbacks = {
    next_thread, get_thread, memory_read, set_initial_registers, nullptr, nullptr,
};

}  // namespace
}  // namespace corelens

namespace corelens {

struct DwflBackend::Callbacks {
  Dwfl_Callbacks dwfl{};
};

namespace {

// A bare ELF header naming the machine, class and byte order: libdwfl picks its architecture
// backend (and the size and order of the words it reads) from it, even when no module of the
// dump has a file.
std::vector<unsigned char> arch_header(Arch arch) {
  const bool is_64bit = pointer_size(arch) == 8;
  const bool big = byte_order(arch) == std::endian::big;
  const std::size_t size = is_64bit ? 64 : 52;
  std::vector<unsigned char> h(size, 0);
  std::memcpy(h.data(), ELFMAG, SELFMAG);
  h[EI_CLASS] = is_64bit ? ELFCLASS64 : ELFCLASS32;
  h[EI_DATA] = big ? ELFDATA2MSB : ELFDATA2LSB;
  h[EI_VERSION] = EV_CURRENT;
  auto put16 = [&](std::size_t off, std::uint16_t v) {
    h[off + (big ? 1 : 0)] = static_cast<unsigned char>(v & 0xff);
    h[off + (big ? 0 : 1)] = static_cast<unsigned char>(v >> 8);
  };
  put16(16, ET_CORE);
  put16(18, elf_machine(arch));
  h[big ? 23 : 20] = EV_CURRENT;  // e_version, a 4-byte word
  put16(is_64bit ? 52 : 40, static_cast<std::uint16_t>(size));  // e_ehsize
  return h;
}

// A file descriptor holding BYTES, for handing an in-memory image to libdwfl.
int memory_fd(const std::vector<std::byte>& bytes) {
  int fd = memfd_create("corelens-image", MFD_CLOEXEC);
  if (fd < 0) return -1;
  std::size_t done = 0;
  while (done < bytes.size()) {
    ssize_t n = ::write(fd, bytes.data() + done, bytes.size() - done);
    if (n <= 0) {
      ::close(fd);
      return -1;
    }
    done += static_cast<std::size_t>(n);
  }
  return fd;
}

}  // namespace

Result<std::unique_ptr<DwflBackend>> DwflBackend::create(const Target& target,
                                                         const std::vector<LocatedModule>& modules,
                                                         const LocatorOptions& options) {
  elf_version(EV_CURRENT);
  std::unique_ptr<DwflBackend> b(new DwflBackend(target));
  b->callbacks_ = std::make_unique<Callbacks>();
  // "-" first: do not check .gnu_debuglink CRCs (slow, and build-ids already say which file).
  b->debuginfo_path_ = "-:.debug";
  for (const auto& d : options.debug_dirs) b->debuginfo_path_ += ":" + d;
  b->debuginfo_path_ptr_ = b->debuginfo_path_.data();
  Dwfl_Callbacks& cb = b->callbacks_->dwfl;
  cb.find_elf = refuse_find_elf;
  cb.find_debuginfo = find_debuginfo_cached;  // compressed debug files from an uncompressed copy
  cb.section_address = dwfl_offline_section_address;
  cb.debuginfo_path = &b->debuginfo_path_ptr_;
  b->dwfl_ = dwfl_begin(&cb);
  if (b->dwfl_ == nullptr) return fail(ErrorCode::internal, std::string("dwfl_begin: ") + dwfl_errmsg(-1));
  // The analysis fetched from debuginfod within its budget beforehand (debuginfod_budget.hpp):
  // libdwfl's own look-ups read that cache and never wait on a server again.
  if (options.use_debuginfod) debuginfod_cache_only(dwfl_get_debuginfod_client(b->dwfl_));

  b->report_modules(modules, options);

  b->thread_args_.resize(target.thread_count() + 1);
  for (std::size_t i = 0; i < b->thread_args_.size(); ++i) b->thread_args_[i] = ThreadArg{b.get(), i, nullptr};
  b->thread_args_.back().resume = &b->resume_;
  b->call_check_ = std::make_unique<CallSiteCheck>(target.arch());
  if (target.arch() == Arch::arm) b->exidx_ = std::make_unique<ArmExidx>(target, modules);
  b->arch_elf_header_ = arch_header(target.arch());
  b->arch_elf_ = elf_memory(reinterpret_cast<char*>(b->arch_elf_header_.data()), b->arch_elf_header_.size());
  if (b->arch_elf_ == nullptr || !dwfl_attach_state(b->dwfl_, b->arch_elf_, 1, &kThreadCallbacks, b.get())) {
    return fail(ErrorCode::internal, std::string("cannot unwind this architecture: ") + dwfl_errmsg(-1));
  }
  return b;
}

void DwflBackend::report_modules(const std::vector<LocatedModule>& located, const LocatorOptions& options) {
  debug_dirs_.dirs = options.debug_dirs;
  const auto& modules = target_.modules();
  dwfl_report_begin(dwfl_);
  dwfl_modules_.assign(modules.size(), nullptr);
  for (std::size_t i = 0; i < modules.size() && i < located.size(); ++i) {
    const Module& m = modules[i];
    const LocatedModule& l = located[i];
    Dwfl_Module* mod = nullptr;
    if (!l.file.empty()) {
      int fd = ::open(l.file.c_str(), O_RDONLY | O_CLOEXEC | O_NOCTTY | O_NONBLOCK);
      if (fd >= 0) {
        mod = dwfl_report_elf(dwfl_, m.path.c_str(), l.file.c_str(), fd, l.load_bias, false);
        if (mod == nullptr) ::close(fd);
      }
    } else if (!l.memory_image.empty()) {
      int fd = memory_fd(l.memory_image);
      if (fd >= 0) {
        mod = dwfl_report_elf(dwfl_, m.path.c_str(), m.path.c_str(), fd, l.load_bias, false);
        if (mod == nullptr) ::close(fd);
      }
    }
    if (mod == nullptr && m.end > m.start) {
      // No usable file: the address range still names the module on stacks.
      mod = dwfl_report_module(dwfl_, m.path.c_str(), m.start, m.end);
    }
    dwfl_modules_[i] = mod;
    if (mod != nullptr) {
      module_index_.emplace(mod, static_cast<int>(i));
      void** userdata = nullptr;  // where find_debuginfo_cached looks for debug files by build-id
      dwfl_module_info(mod, &userdata, nullptr, nullptr, nullptr, nullptr, nullptr, nullptr);
      if (userdata != nullptr) *userdata = &debug_dirs_;
    }
  }
  dwfl_report_end(dwfl_, nullptr, nullptr);
}

DwflBackend::DwflBackend(const Target& target) : target_(target), units_(std::make_unique<DwarfUnitFinder>()) {}

bool DwflBackend::is_return_address(std::uint64_t addr) const {
  return call_check_->is_return_address(target_, addr);
}

DwflBackend::~DwflBackend() {
  if (dwfl_ != nullptr) dwfl_end(dwfl_);
  if (arch_elf_ != nullptr) elf_end(arch_elf_);
}

int DwflBackend::module_index(std::uint64_t pc) const {
  Dwfl_Module* mod = dwfl_addrmodule(dwfl_, pc);
  if (mod == nullptr) return -1;
  auto it = module_index_.find(mod);
  return it == module_index_.end() ? -1 : it->second;
}

std::string DwflBackend::debug_file(std::size_t index) const {
  if (index >= dwfl_modules_.size() || dwfl_modules_[index] == nullptr) return {};
  const char* debugfile = nullptr;
  dwfl_module_info(dwfl_modules_[index], nullptr, nullptr, nullptr, nullptr, nullptr, nullptr, &debugfile);
  return debugfile ? debugfile : "";
}

bool DwflBackend::has_dwarf(std::size_t index) const {
  if (index >= dwfl_modules_.size() || dwfl_modules_[index] == nullptr) return false;
  Dwarf_Addr bias = 0;
  return dwfl_module_getdwarf(dwfl_modules_[index], &bias) != nullptr;
}

// libdwfl steps from a frame to its caller with CFI when the callee's pc has some (.eh_frame
// first, then .debug_frame), and with the architecture's frame-pointer fallback otherwise.
// We ask the same question to say how each caller frame was found.
FrameTrust DwflBackend::classify_step(std::uint64_t callee_lookup_pc) {
  auto cached = trust_cache_.find(callee_lookup_pc);
  if (cached != trust_cache_.end()) return cached->second;
  FrameTrust trust = FrameTrust::frame_pointer;
  if (Dwfl_Module* mod = dwfl_addrmodule(dwfl_, callee_lookup_pc)) {
    for (int which = 0; which < 2 && trust != FrameTrust::cfi; ++which) {
      Dwarf_Addr bias = 0;
      Dwarf_CFI* cfi = which == 0 ? dwfl_module_eh_cfi(mod, &bias) : dwfl_module_dwarf_cfi(mod, &bias);
      Dwarf_Frame* frame = nullptr;
      if (cfi != nullptr && dwarf_cfi_addrframe(cfi, callee_lookup_pc - bias, &frame) == 0) {
        trust = FrameTrust::cfi;
      }
      std::free(frame);
    }
  }
  if (trust_cache_.size() < kMaxCachedPcs) trust_cache_.emplace(callee_lookup_pc, trust);
  return trust;
}

std::optional<std::string> DwflBackend::caller_unrecoverable(const std::vector<RawFrame>& frames, std::size_t thread_index) {
  if (frames.empty()) return std::nullopt;
  const RawFrame& last = frames.back();
  const bool first = frames.size() == 1;
  const std::uint64_t lookup = last.is_activation || first ? last.pc : last.pc - 1;
  Dwfl_Module* mod = dwfl_addrmodule(dwfl_, lookup);
  if (mod == nullptr) return std::nullopt;
  const Arch arch = target_.arch();
  // The registers the walk knows in that frame: all of them in frame 0, else those recovered.
  auto known = [&](unsigned regno) {
    std::string_view name = dwarf_register_name(arch, regno);
    if (name.empty()) return false;
    if (first) return target_.initial_registers(thread_index).get(name).has_value();
    if (regno == unwind_arch(arch)->sp_regno && last.sp) return true;
    for (const auto& r : last.registers) {
      if (r.name == name) return true;
    }
    return false;
  };
  for (int which = 0; which < 2; ++which) {
    Dwarf_Addr bias = 0;
    Dwarf_CFI* cfi = which == 0 ? dwfl_module_eh_cfi(mod, &bias) : dwfl_module_dwarf_cfi(mod, &bias);
    Dwarf_Frame* frame = nullptr;
    if (cfi == nullptr || dwarf_cfi_addrframe(cfi, lookup - bias, &frame) != 0) continue;
    std::optional<std::string> reason;
    int ra = dwarf_frame_info(frame, nullptr, nullptr, nullptr);
    Dwarf_Op ops_mem[3];
    Dwarf_Op* ops = nullptr;
    size_t nops = 0;
    bool undefined = ra >= 0 && dwarf_frame_register(frame, ra, ops_mem, &ops, &nops) == 0 && nops == 0 && ops == ops_mem;
    if (!undefined && ra >= 0) {
      // The registers the CFA and the return address are computed from.
      std::vector<unsigned> needed;
      auto collect = [&needed](const Dwarf_Op* o, size_t n) {
        for (size_t i = 0; i < n; ++i) {
          if (o[i].atom >= DW_OP_breg0 && o[i].atom <= DW_OP_breg31) needed.push_back(o[i].atom - DW_OP_breg0);
          else if (o[i].atom >= DW_OP_reg0 && o[i].atom <= DW_OP_reg31) needed.push_back(o[i].atom - DW_OP_reg0);
          else if (o[i].atom == DW_OP_bregx || o[i].atom == DW_OP_regx) needed.push_back(static_cast<unsigned>(o[i].number));
        }
      };
      collect(ops, nops);
      if (nops == 0 && ops == nullptr) needed.push_back(static_cast<unsigned>(ra));  // same value: still in RA
      Dwarf_Op* cfa_ops = nullptr;
      size_t ncfa = 0;
      if (dwarf_frame_cfa(frame, &cfa_ops, &ncfa) == 0) collect(cfa_ops, ncfa);
      for (unsigned regno : needed) {
        if (known(regno)) continue;
        std::string name(dwarf_register_name(arch, regno));
        reason = "the caller of " + hex(last.pc) + " is unknown: its unwind information needs " +
                 (name.empty() ? "DWARF register " + std::to_string(regno) : name) +
                 ", whose value there could not be recovered";
        if (arch == Arch::s390x && !target_.has_fpregs(thread_index)) {
          reason->append(" (s390x code keeps saved registers in floating-point registers, which this core lacks)");
        }
        break;
      }
    }
    std::free(frame);
    return reason;
  }
  return std::nullopt;
}

// ---- the libdwfl CFI engine of the one stack walk (stack_walk.hpp) ----------------------

// libdwfl walks by calling on_frame for each frame it finds; each is handed to the StackWalk,
// whose rules decide. The engine stops libdwfl where it would guess without unwind information
// (the fallbacks do that job, under the same rules) and restarts it from a recovered frame.
struct DwflBackend::WalkEngine final : CfiEngine {
  WalkEngine(DwflBackend& b, unsigned sp) : backend(b), sp_regno(sp) {}

  EngineEnd run(StackWalk& w) override;
  bool has_cfi(std::uint64_t lookup_pc) override { return backend.classify_step(lookup_pc) == FrameTrust::cfi; }
  bool resume(StackWalk& w, const RawFrame& frame, std::optional<std::uint64_t> fp, bool exact_sp) override;
  // Each restart sets libdwfl's thread state up again. A real stack changes hands between CFI
  // and the fallbacks a few times (once per library without CFI); the cap bounds the cost of a
  // stack crafted to alternate on every frame.
  static constexpr std::size_t kMaxRestarts = 256;
  std::size_t max_resumes() const override { return kMaxRestarts; }
  std::optional<std::string> incomplete_end(const StackWalk& w) override {
    return backend.caller_unrecoverable(w.frames(), w.thread_index());
  }
  std::optional<std::uint64_t> function_start(std::uint64_t addr) override {
    auto hit = backend.symbol_at(addr);
    return hit && hit->size != 0 ? std::optional<std::uint64_t>(hit->address) : std::nullopt;
  }
  const ArmExidx* exidx() const override { return backend.exidx_.get(); }

  DwflBackend& backend;
  unsigned sp_regno;
  StackWalk* walk = nullptr;  // during run()
  bool resumed = false;       // the next run starts at the resume slot's registers
  bool skip_first = false;    // a resumed walk starts at a frame already on the stack
  bool verify_next = false;   // resumed with an inexact sp: the next caller must be a return address
  bool fallback = false;      // this run ended for want of unwind information
};

namespace {

int on_frame(Dwfl_Frame* state, void* arg) {
  auto* e = static_cast<DwflBackend::WalkEngine*>(arg);
  StackWalk& walk = *e->walk;
  const Arch arch = walk.target().arch();
  Dwarf_Addr pc = 0;
  bool activation = false;
  if (!dwfl_frame_pc(state, &pc, &activation)) {
    walk.stop(UnwindStatus::stopped(StopReason::unwinder_error, std::string("no pc for the next frame: ") + dwfl_errmsg(-1)));
    return DWARF_CB_ABORT;
  }
  if (e->skip_first) {
    e->skip_first = false;
    return DWARF_CB_OK;
  }
  RawFrame f;
  f.pc = pc;
  f.is_activation = activation;
  Dwarf_Word sp = 0;
  if (dwfl_frame_reg(state, e->sp_regno, &sp) == 0) f.sp = sp;
  if (!walk.empty()) {
    const RawFrame& callee = walk.last();
    // A pc in no executable mapping has neither CFI nor a frame of its own; libdwfl's
    // frame-pointer guess would skip the caller. The fallbacks read the return address.
    // Without CFI, libdwfl falls back on its own architecture guess (the frame pointer on x86,
    // the link register and frame record on aarch64) and checks nothing: the fallbacks do that
    // job instead, under the walk's rules.
    std::uint64_t callee_lookup = callee.is_activation ? callee.pc : callee.pc - 1;
    if (is_bad_pc_frame(walk.target(), callee, walk.size() == 1) ||
        e->backend.classify_step(callee_lookup) != FrameTrust::cfi) {
      e->fallback = true;
      return DWARF_CB_ABORT;
    }
    // Its origin and trust are the walk's to set (caller_strategy.hpp): this engine's, CFI.
    // Resumed from a frame whose sp is only a lower bound: CFI applied to it lands anywhere
    // unless it lands on a return address.
    if (e->verify_next && !activation && !e->backend.is_return_address(pc)) {
      e->fallback = true;
      return DWARF_CB_ABORT;
    }
    e->verify_next = false;
  }
  if (!walk.empty() && walk.next_keeps_registers()) {
    unsigned count = dwarf_register_count(arch);
    for (unsigned regno = 0; regno < count; ++regno) {
      if (!dwarf_register_survives_calls(arch, regno)) continue;
      Dwarf_Word value = 0;
      if (dwfl_frame_reg(state, regno, &value) == 0) {
        f.registers.push_back(Register{dwarf_register_name(arch, regno), value});
      }
    }
    // Where the pc has no DWARF number, the caller's pc is still one of its known registers.
    const UnwindArch* facts = unwind_arch(arch);
    if (facts != nullptr && !facts->pc_is_dwarf_register) f.registers.push_back(Register{pc_register(arch), pc});
  }
  bool more = walk.empty() ? walk.add_first(std::move(f)) : walk.add_caller(std::move(f));
  return more ? DWARF_CB_OK : DWARF_CB_ABORT;
}

}  // namespace

EngineEnd DwflBackend::WalkEngine::run(StackWalk& w) {
  walk = &w;
  fallback = false;
  backend.last_fault_.reset();
  const pid_t tid = resumed ? static_cast<pid_t>(backend.thread_args_.size()) : static_cast<pid_t>(w.thread_index() + 1);
  int rc = dwfl_getthread_frames(backend.dwfl_, tid, on_frame, this);
  walk = nullptr;
  if (w.over()) return EngineEnd::over;
  if (fallback) return EngineEnd::fallback;
  if (rc == 0) {
    // libdwfl also ends a walk quietly at a frame without CFI when its architecture has no
    // guess to make (arm): that is no outermost frame, but a frame for the fallbacks.
    if (w.empty()) return EngineEnd::outermost;
    const RawFrame& last = w.last();
    std::uint64_t lookup = last.is_activation || w.size() == 1 ? last.pc : last.pc - 1;
    return has_cfi(lookup) ? EngineEnd::outermost : EngineEnd::fallback;
  }
  // libdwfl failed (memory its CFI needs, a malformed entry): the fallbacks may still find the
  // caller; with no frame at all there is nothing for them to start from.
  if (w.empty()) {
    if (backend.last_fault_) {
      w.stop(UnwindStatus::stopped(StopReason::missing_memory, "memory at " + hex(*backend.last_fault_) + " is not in the dump"));
    } else {
      const char* msg = dwfl_errmsg(-1);
      w.stop(UnwindStatus::stopped(StopReason::unwinder_error, msg ? msg : "unwinding failed"));
    }
    return EngineEnd::over;
  }
  return EngineEnd::fallback;
}

bool DwflBackend::WalkEngine::resume(StackWalk&, const RawFrame& frame, std::optional<std::uint64_t> fp, bool exact_sp) {
  const UnwindArch& facts = *unwind_arch(backend.target_.arch());
  backend.resume_ = ResumeState{frame.pc, *frame.sp, fp, {}};
  for (const auto& r : frame.registers) {
    std::optional<unsigned> regno;
    for (const auto& known : facts.registers) {
      if (known.name == r.name) regno = known.regno;
    }
    if (regno && *regno != facts.sp_regno && (!facts.fp_regno || *regno != *facts.fp_regno)) {
      backend.resume_.registers.emplace_back(*regno, r.value);
    }
  }
  resumed = true;
  skip_first = true;
  verify_next = !exact_sp;
  return true;
}

RawStack DwflBackend::unwind(std::size_t thread_index, const UnwindLimits& limits) {
  StackWalk walk(target_, thread_index, limits, "libdwfl");
  const Arch arch = target_.arch();
  const RegisterSet& initial = target_.initial_registers(thread_index);
  auto regs = dwarf_registers(arch, initial);
  if (!regs) {
    // Without a full register set nothing can be unwound, but the pc alone is still frame 0.
    if (auto pc = initial.get(pc_register(arch))) {
      RawFrame f;
      f.pc = *pc;
      f.is_activation = true;
      f.sp = initial.get(sp_register(arch));
      walk.add_first(std::move(f));
    }
    walk.stop(unwind_arch(arch) == nullptr
                  ? UnwindStatus::stopped(StopReason::not_unwound, "no unwinder for " + std::string(to_string(arch)))
                  : UnwindStatus::stopped(StopReason::missing_registers, "the thread's registers are incomplete in the dump"));
    return std::move(walk).finish();
  }
  WalkEngine engine(*this, regs->sp_regno);
  return walk_stack(std::move(walk), engine, *call_check_);
}

}  // namespace corelens
