// One frame as DWARF expressions see it: its registers (those its unwinder recovered; frame 0
// has the thread's), its frame base and CFA, the process's memory, and its caller for
// DW_OP_entry_value. Also turns an evaluated Location into a Value of a given type.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"
#include "unwinder/values/dwarf_expression.hpp"
#include "unwinder/values/dwarf_session.hpp"
#include "unwinder/values/dwarf_types.hpp"
#include "unwinder/values/value.hpp"

namespace corelens::values {

// A frame as the unwinder found it (inlined calls folded into the real frame they are in).
struct PhysicalFrame {
  std::uint64_t pc = 0;         // frame 0: where it stopped; callers: the return address
  std::uint64_t lookup_pc = 0;  // where its DWARF is looked up (return address - 1 for callers)
  std::vector<Register> registers;
  const std::vector<WideRegister>* wide = nullptr;  // frame 0 only: x87 and SSE registers
  std::optional<std::uint64_t> sp;
};

// The memory of the process as values read it: not_saved and not_mapped faults become the
// matching reasons.
class ProcessMemory final : public ValueMemory {
 public:
  explicit ProcessMemory(const MemorySource& source) : source_(source) {}
  Known<std::vector<std::byte>> read(std::uint64_t address, std::size_t size) const override;

 private:
  const MemorySource& source_;
};

// A variable's location expression at one pc: the same in every thread stopped there, so it is
// looked up (attributes, location list) once.
struct LocationAt {
  TypeId type = kVoid;
  bool has_location = false;
  Known<std::vector<std::byte>> expression = std::vector<std::byte>{};
};
using LocationCache = std::map<std::pair<DieKey, std::uint64_t>, LocationAt>;
// The location cache is emptied when it holds this many entries: one per (variable, pc), the same
// in every thread stopped at a pc, so a real dump's frames need far fewer; a hostile dump could
// name unboundedly many pcs.
constexpr std::size_t kMaxCachedLocations = 500000;

// What every frame of one analysis shares.
struct FrameWorld {
  DwarfSession& session;
  DwarfTypeTable& types;
  const ProcessMemory& memory;
  const std::vector<PhysicalFrame>& frames;  // innermost first
  LocationCache* locations = nullptr;        // null: no cache
};

class FrameContext final : public ExpressionContext {
 public:
  // The context of physical frame INDEX, whose scopes at its lookup pc are SCOPES (with the DWARF
  // unit of VARIABLE_UNIT_DIE giving the expressions' format). ENTRY_DEPTH counts the entry
  // values being resolved through callers.
  FrameContext(FrameWorld& world, std::size_t index, const ScopesAt& scopes, int entry_depth = 0);
  // A frame that is not on the stack: a function that tail-called the next frame in. FRAME has
  // the registers it had at the jump (the caller's, as the ABI keeps them), CALLER is the index
  // of the frame that called it, CFA its canonical frame address (the one its callee took over).
  FrameContext(FrameWorld& world, const PhysicalFrame& frame, std::size_t caller, const ScopesAt& scopes,
               int entry_depth, std::optional<std::uint64_t> cfa);

  Known<std::uint64_t> reg(unsigned regno) const override;
  Known<std::uint64_t> read(std::uint64_t address, std::size_t size) const override;
  Known<std::uint64_t> frame_base() const override;
  Known<std::uint64_t> cfa() const override;
  std::uint64_t relocate(std::uint64_t address) const override { return address + scopes_.bias; }
  Known<std::uint64_t> address_index(std::uint64_t index) const override;
  Known<std::uint64_t> entry_value(std::span<const std::byte> expression) const override;
  Known<BaseType> base_type(std::uint64_t cu_offset) const override;

  // A register's bytes in target order, SIZE of them (its low part for a smaller value).
  Known<std::vector<std::byte>> register_bytes(unsigned regno, std::size_t size) const;
  // The location expression of a variable DIE at this frame's pc: empty when it has none here.
  Known<std::vector<std::byte>> location_bytes(Dwarf_Die* variable) const;
  // The same at another pc of the function (its entry, for entry values).
  Known<std::vector<std::byte>> location_bytes_at(Dwarf_Die* variable, std::uint64_t pc) const;
  // A variable DIE's value here: its location evaluated, or its DW_AT_const_value.
  Value variable_value(Dwarf_Die* variable, int implicit_depth = 0) const;
  // A parameter's value when the function was entered (gdb's `x@entry`): where its location
  // list put it at the function's entry, resolved through the caller's call site. Missing when
  // that is not a register or the caller does not say.
  Value entry_value_of(Dwarf_Die* parameter) const;
  // TYPE's value at LOCATION.
  Value value_at(TypeId type, const Location& location, int implicit_depth = 0) const;

  const ExpressionFormat& format() const { return format_; }
  const ScopesAt& scopes() const { return scopes_; }
  std::size_t index() const { return index_; }

 private:
  Known<std::vector<std::byte>> piece_bytes(const LocationPiece& piece, std::size_t size) const;
  Value const_value(Dwarf_Die* variable, TypeId type) const;
  // Whether the call site SITE (in CALLER's function) calls this frame's function.
  bool calls_this_function(Dwarf_Die site, const FrameContext& caller) const;
  // The value call site SITE passed in register REGNO, evaluated in the frame that made the call.
  Known<std::uint64_t> parameter_value(Dwarf_Die site, unsigned regno, const FrameContext& caller) const;
  // Through a tail call: SITE in the caller called a function that jumped to this one; its
  // tail-call site's value for REGNO.
  Known<std::uint64_t> through_tail_call(Dwarf_Die site, unsigned regno, const FrameContext& caller) const;
  Known<std::uint64_t> cfa_by_cfi() const;

  FrameWorld& world_;
  const PhysicalFrame& frame_;
  std::size_t index_;   // of FRAME_ among the world's frames (a tail-call frame: its callee's)
  std::size_t caller_;  // the frame whose call site called this function
  std::optional<std::uint64_t> cfa_;  // set for a frame that is not on the stack
  const ScopesAt& scopes_;
  UnitFacts unit_;
  ExpressionFormat format_;
  int entry_depth_;
  mutable std::optional<Known<std::uint64_t>> frame_base_;
  mutable std::optional<Known<std::uint64_t>> cfa_found_;  // by CFI, once: the frame base and entry values ask again
};

}  // namespace corelens::values
