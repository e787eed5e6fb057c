#include "unwinder/libunwind_backend.hpp"

#include <elf.h>
#include <libunwind.h>

#include <algorithm>
#include <array>
#include <cstring>
#include <limits>

#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"
#include "parsers/elf_image.hpp"
#include "unwinder/arch_registers.hpp"
#include "unwinder/call_site_check.hpp"
#include "unwinder/stack_walk.hpp"
#include "unwinder/unwind_rules.hpp"

// Exported by libunwind but declared only in its private headers (perf declares it the same way):
// the binary search of an .eh_frame_hdr table in the remote address space, then the parse of the
// FDE it names, all through our access_mem.
extern "C" int UNW_OBJ(dwarf_search_unwind_table)(unw_addr_space_t as, unw_word_t ip, unw_dyn_info_t* di,
                                                  unw_proc_info_t* pi, int need_unwind_info, void* arg);

namespace corelens {

// x86_64 DWARF registers 0-15 and the return address column 16 (rip); libunwind numbers its
// x86_64 registers the same way (UNW_X86_64_RAX = 0 ... UNW_X86_64_RIP = 16).
constexpr unsigned kRegisterCount = 17;
constexpr unsigned kRbp = 6, kRsp = 7, kRip = 16;

struct LibunwindBackend::Walk {
  LibunwindBackend* backend = nullptr;
  std::array<std::uint64_t, kRegisterCount> regs{};
  std::array<bool, kRegisterCount> known{};
  std::optional<std::uint64_t> fault;  // the last address a read failed at
};

struct LibunwindBackend::AddressSpace {
  unw_accessors_t accessors{};
  unw_addr_space_t space = nullptr;
  ~AddressSpace() {
    if (space != nullptr) unw_destroy_addr_space(space);
  }
};

namespace {

// ---- libunwind's callbacks; ARG is the Walk of the thread being unwound --------------------

int find_proc_info(unw_addr_space_t as, unw_word_t ip, unw_proc_info_t* pi, int need_unwind_info, void* arg) {
  auto* walk = static_cast<LibunwindBackend::Walk*>(arg);
  const LibunwindBackend::UnwindTable* t = walk->backend->table_for(ip);
  if (t == nullptr) return -UNW_ENOINFO;
  unw_dyn_info_t di;
  std::memset(&di, 0, sizeof di);
  di.start_ip = t->start;
  di.end_ip = t->end;
  di.format = UNW_INFO_FORMAT_REMOTE_TABLE;
  di.u.rti.segbase = t->hdr;
  di.u.rti.table_data = t->table;
  di.u.rti.table_len = t->fde_count * 8 / sizeof(unw_word_t);  // two int32 per entry, in words
  std::optional<std::uint64_t> fault = walk->fault;
  int r = UNW_OBJ(dwarf_search_unwind_table)(as, ip, &di, pi, need_unwind_info, arg);
  if (r < 0) {
    // Unreadable or malformed unwind information is no unwind information: the walk falls
    // back, as it does with libdwfl, instead of stopping. The failed read is not the stack's.
    walk->fault = fault;
    return -UNW_ENOINFO;
  }
  return r;
}

// dwarf_search_unwind_table's unwind info lives in libunwind's own pool, which it frees itself.
void put_unwind_info(unw_addr_space_t, unw_proc_info_t*, void*) {}

int get_dyn_info_list_addr(unw_addr_space_t, unw_word_t*, void*) { return -UNW_ENOINFO; }

int access_mem(unw_addr_space_t, unw_word_t addr, unw_word_t* value, int write, void* arg) {
  auto* walk = static_cast<LibunwindBackend::Walk*>(arg);
  if (write != 0) return -UNW_EINVAL;  // a dump is read-only
  std::uint64_t v = 0;
  // read_code: unwind tables live in read-only segments that kernel cores leave out; the
  // verified module files stand in for them (the stack itself always comes from the dump).
  auto r = walk->backend->target().read_code(addr, std::as_writable_bytes(std::span(&v, 1)));
  if (!r) {
    walk->fault = r.error().where.value_or(addr);
    return -UNW_EINVAL;
  }
  *value = v;
  return 0;
}

int access_reg(unw_addr_space_t, unw_regnum_t regnum, unw_word_t* value, int write, void* arg) {
  auto* walk = static_cast<LibunwindBackend::Walk*>(arg);
  if (write != 0) return -UNW_EREADONLYREG;
  if (regnum < 0 || static_cast<unsigned>(regnum) >= kRegisterCount) return -UNW_EBADREG;
  auto i = static_cast<std::size_t>(regnum);
  if (!walk->known[i]) return -UNW_EBADREG;  // a walk resumed by a fallback knows only pc, sp, fp
  *value = walk->regs[i];
  return 0;
}

int access_fpreg(unw_addr_space_t, unw_regnum_t, unw_fpreg_t*, int, void*) { return -UNW_EBADREG; }
int resume(unw_addr_space_t, unw_cursor_t*, void*) { return -UNW_EINVAL; }
int get_proc_name(unw_addr_space_t, unw_word_t, char*, std::size_t, unw_word_t*, void*) { return -UNW_ENOINFO; }

// The size of an .eh_frame_hdr pointer of ENCODING (its low nibble), or -1 when unsupported.
int encoded_size(std::uint8_t encoding) {
  switch (encoding & 0x0f) {
    case 0x00: return 8;  // DW_EH_PE_absptr
    case 0x02: case 0x0a: return 2;
    case 0x03: case 0x0b: return 4;
    case 0x04: case 0x0c: return 8;
    default: return -1;
  }
}

}  // namespace

LibunwindBackend::LibunwindBackend(const Target& target) : target_(target) {}
LibunwindBackend::~LibunwindBackend() = default;

Result<std::unique_ptr<LibunwindBackend>> LibunwindBackend::create(const Target& target,
                                                                   const std::vector<LocatedModule>& modules) {
  if (target.arch() != Arch::x86_64) {
    // Debian's libunwind-dev ships the remote unwinder of the host architecture alone.
    return fail(ErrorCode::unsupported, "libunwind is built here for x86_64 cores only, not " +
                                            std::string(to_string(target.arch())) + " ones");
  }
  std::unique_ptr<LibunwindBackend> b(new LibunwindBackend(target));
  b->space_ = std::make_unique<AddressSpace>();
  unw_accessors_t& a = b->space_->accessors;
  a.find_proc_info = find_proc_info;
  a.put_unwind_info = put_unwind_info;
  a.get_dyn_info_list_addr = get_dyn_info_list_addr;
  a.access_mem = access_mem;
  a.access_reg = access_reg;
  a.access_fpreg = access_fpreg;
  a.resume = resume;
  a.get_proc_name = get_proc_name;
  b->space_->space = unw_create_addr_space(&a, 0);  // 0: the host's byte order, little-endian
  if (b->space_->space == nullptr) return fail(ErrorCode::internal, "libunwind: cannot create an address space");
  // The dump never changes: register states found for a pc stay valid for every thread.
  unw_set_caching_policy(b->space_->space, UNW_CACHE_GLOBAL);
  b->call_check_ = std::make_unique<CallSiteCheck>(target.arch());
  b->add_tables(modules);
  return b;
}

void LibunwindBackend::add_tables(const std::vector<LocatedModule>& located) {
  const auto& modules = target_.modules();
  for (std::size_t i = 0; i < modules.size(); ++i) {
    const Module& m = modules[i];
    if (m.end <= m.start) continue;
    // Program headers: from the verified file, else from the module's image in the dump (the
    // vDSO; gcore saves every module's headers and text).
    Result<ElfImageInfo> info = fail(ErrorCode::not_mapped, "no headers");
    std::uint64_t bias = m.load_bias;
    const LocatedModule* l = i < located.size() ? &located[i] : nullptr;
    if (l != nullptr && !l->file.empty() && l->source != SymbolSource::mismatch && l->source != SymbolSource::debug_file) {
      info = read_elf_file(l->file);
      bias = l->load_bias;
    }
    if (!info && (m.headers_in_core || (l != nullptr && !l->memory_image.empty()))) {
      ReadAt read = [&](std::uint64_t offset, std::span<std::byte> out) -> Result<void> {
        std::uint64_t addr = 0;
        if (add_overflows(m.start, offset, &addr)) return fail(ErrorCode::not_mapped, "address overflow");
        return target_.read_memory(addr, out);
      };
      info = read_elf_image(read, ElfImageLayout::loaded);
      if (l != nullptr) bias = l->load_bias;
    }
    if (!info) continue;
    for (const auto& p : info->phdrs) {
      if (p.type != PT_GNU_EH_FRAME) continue;
      UnwindTable t;
      t.start = m.start;
      t.end = m.end;
      if (add_overflows(bias, p.vaddr, &t.hdr)) break;
      std::array<std::uint8_t, 4> head{};
      if (!target_.read_code(t.hdr, std::as_writable_bytes(std::span(head)))) break;
      int ptr_size = encoded_size(head[1]);
      // Version 1; the count as udata4 and the table as datarel sdata4 pairs, as every linker
      // writes it and as libunwind's remote search reads it.
      if (head[0] != 1 || ptr_size < 0 || head[2] != 0x03 || head[3] != 0x3b) break;
      std::uint64_t count_addr = t.hdr + 4 + static_cast<std::uint64_t>(ptr_size);
      std::uint32_t count = 0;
      if (!target_.read_code(count_addr, std::as_writable_bytes(std::span(&count, 1)))) break;
      constexpr std::uint32_t kMaxFdes = 1u << 24;
      if (count == 0 || count > kMaxFdes) break;
      t.table = count_addr + 4;
      t.fde_count = count;
      // The whole table must be readable, or the binary search reads garbage halfway.
      std::array<std::byte, 8> last{};
      if (!target_.read_code(t.table + (t.fde_count - 1) * 8, last)) break;
      tables_.push_back(t);
      break;
    }
  }
  std::sort(tables_.begin(), tables_.end(), [](const UnwindTable& a, const UnwindTable& b) { return a.start < b.start; });
}

const LibunwindBackend::UnwindTable* LibunwindBackend::table_for(std::uint64_t pc) const {
  auto it = std::upper_bound(tables_.begin(), tables_.end(), pc,
                             [](std::uint64_t v, const UnwindTable& t) { return v < t.start; });
  if (it == tables_.begin()) return nullptr;
  --it;
  return pc < it->end ? &*it : nullptr;
}

bool LibunwindBackend::has_cfi(std::uint64_t lookup_pc, Walk& walk) {
  auto cached = cfi_cache_.find(lookup_pc);
  if (cached != cfi_cache_.end()) return cached->second;
  unw_proc_info_t pi;
  std::memset(&pi, 0, sizeof pi);
  std::optional<std::uint64_t> fault = walk.fault;
  bool found = find_proc_info(space_->space, lookup_pc, &pi, 0, &walk) == 0;
  walk.fault = fault;
  if (cfi_cache_.size() < kMaxCachedPcs) cfi_cache_.emplace(lookup_pc, found);
  return found;
}

namespace {

// The frame at CURSOR after a step, with the registers libunwind recovered (callee-saved ones,
// sp and pc: the others of a caller are unknown whatever value libunwind carries).
std::optional<RawFrame> cursor_frame(unw_cursor_t* cursor, bool with_registers) {
  unw_word_t ip = 0, sp = 0;
  if (unw_get_reg(cursor, UNW_REG_IP, &ip) < 0 || unw_get_reg(cursor, UNW_REG_SP, &sp) < 0) return std::nullopt;
  RawFrame f;
  f.pc = ip;
  f.sp = sp;
  if (with_registers) {
    for (unsigned regno = 0; regno < kRegisterCount; ++regno) {
      if (!dwarf_register_survives_calls(Arch::x86_64, regno)) continue;
      unw_word_t value = 0;
      if (unw_get_reg(cursor, static_cast<unw_regnum_t>(regno), &value) == 0) {
        f.registers.push_back(Register{dwarf_register_name(Arch::x86_64, regno), value});  // a name in the static DWARF table
      }
    }
  }
  return f;
}

}  // namespace

// ---- the libunwind CFI engine of the one stack walk (stack_walk.hpp) --------------------

struct LibunwindBackend::WalkEngine final : CfiEngine {
  explicit WalkEngine(LibunwindBackend& b) : backend(b) { state.backend = &b; }

  EngineEnd run(StackWalk& walk) override;
  bool has_cfi(std::uint64_t lookup_pc) override { return backend.has_cfi(lookup_pc, state); }
  bool resume(StackWalk& walk, const RawFrame& frame, std::optional<std::uint64_t> fp, bool exact_sp) override;
  // A restart is a fresh cursor on the same address space: cheap, and bounded by the frame cap.
  std::size_t max_resumes() const override { return std::numeric_limits<std::size_t>::max(); }

  LibunwindBackend& backend;
  Walk state;  // what libunwind's callbacks read
  unw_cursor_t cursor{};
};

EngineEnd LibunwindBackend::WalkEngine::run(StackWalk& walk) {
  if (walk.empty()) {
    int init = unw_init_remote(&cursor, backend.space_->space, &state);
    RawFrame first;
    first.pc = state.regs[kRip];
    first.sp = state.regs[kRsp];
    first.is_activation = true;
    bool more = walk.add_first(first);
    if (init < 0) {
      walk.stop(UnwindStatus::stopped(StopReason::unwinder_error, std::string("libunwind cannot start: ") + unw_strerror(init)));
      return EngineEnd::over;
    }
    if (!more) return EngineEnd::over;
  }
  while (true) {
    const RawFrame& callee = walk.last();
    // Without CFI, libunwind would guess from rbp and leave a cursor whose stack pointer is off
    // by the size of the frame; the fallbacks do that job (and check their answer). libunwind is
    // here for its CFI.
    std::uint64_t lookup = callee.is_activation ? callee.pc : callee.pc - 1;
    if (is_bad_pc_frame(backend.target_, callee, walk.size() == 1) || !has_cfi(lookup)) return EngineEnd::fallback;
    // A signal trampoline (x86_64: __restore_rt's mov $15, %rax; syscall): its caller was
    // interrupted, not calling, and is an activation. Read once per pc: deep recursion asks
    // the same question hundreds of thousands of times.
    auto [it, inserted] = backend.signal_cache_.try_emplace(callee.pc, false);
    if (inserted) it->second = unw_is_signal_frame(&cursor) > 0;
    const bool signal = it->second;
    if (backend.signal_cache_.size() > kMaxCachedPcs) backend.signal_cache_.clear();  // bound memory on hostile stacks
    state.fault.reset();
    int step = unw_step(&cursor);
    // The CFI marks this frame as the outermost (an undefined return address at _start).
    if (step == 0) return EngineEnd::outermost;
    std::optional<RawFrame> caller;
    if (step > 0) caller = cursor_frame(&cursor, walk.next_keeps_registers());
    // libunwind failed on a frame its CFI describes (memory the CFI needs is missing): the
    // fallbacks may still find its caller.
    if (!caller) return EngineEnd::fallback;
    caller->is_activation = signal;  // its origin and trust: the walk's, from this strategy
    if (!walk.add_caller(std::move(*caller))) return EngineEnd::over;
  }
}

bool LibunwindBackend::WalkEngine::resume(StackWalk& walk, const RawFrame& frame, std::optional<std::uint64_t> fp, bool) {
  // Restart libunwind at the recovered frame with what the fallback knows: sp, the frame
  // pointer, and the pc of the call (return address - 1: the call's CFI row, as for any caller;
  // libunwind takes a fresh cursor's pc as the instruction itself). x86_64's fallbacks always
  // know the exact sp.
  state.known.fill(false);
  state.regs[kRsp] = *frame.sp;
  state.known[kRsp] = true;
  state.regs[kRip] = frame.pc - 1;
  state.known[kRip] = true;
  if (fp) {
    state.regs[kRbp] = *fp;
    state.known[kRbp] = true;
  }
  int r = unw_init_remote(&cursor, backend.space_->space, &state);
  if (r < 0) {
    walk.stop(UnwindStatus::stopped(StopReason::unwinder_error, std::string("libunwind cannot resume: ") + unw_strerror(r)));
    return false;
  }
  return true;
}

RawStack LibunwindBackend::unwind(std::size_t thread_index, const UnwindLimits& limits) {
  StackWalk walk(target_, thread_index, limits, "libunwind");
  const RegisterSet& initial = target_.initial_registers(thread_index);
  auto regs = dwarf_registers(target_.arch(), initial);
  if (!regs || regs->values.size() < kRegisterCount) {
    if (auto pc = initial.get("rip")) {
      RawFrame f;
      f.pc = *pc;
      f.is_activation = true;
      f.sp = initial.get("rsp");
      walk.add_first(std::move(f));
    }
    walk.stop(UnwindStatus::stopped(StopReason::missing_registers, "the thread's registers are incomplete in the dump"));
    return std::move(walk).finish();
  }
  WalkEngine engine(*this);
  for (unsigned r = 0; r < kRegisterCount; ++r) {
    engine.state.regs[r] = regs->values[r];
    engine.state.known[r] = true;
  }
  return walk_stack(std::move(walk), engine, *call_check_);
}

}  // namespace corelens
