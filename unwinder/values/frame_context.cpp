#include "unwinder/values/frame_context.hpp"

#include "core/model/strings.hpp"
#include "unwinder/arch_registers.hpp"
#include "unwinder/values/location_lists.hpp"

namespace corelens::values {
namespace {

// SSE and x87 registers by their DWARF numbers: frame 0 has them (the core's NT_FPREGSET).
std::string_view wide_register_name(Arch arch, unsigned regno) {
  static constexpr std::string_view kXmm[] = {"xmm0", "xmm1", "xmm2",  "xmm3",  "xmm4",  "xmm5",  "xmm6",  "xmm7",
                                              "xmm8", "xmm9", "xmm10", "xmm11", "xmm12", "xmm13", "xmm14", "xmm15"};
  static constexpr std::string_view kSt[] = {"st0", "st1", "st2", "st3", "st4", "st5", "st6", "st7"};
  if (arch == Arch::x86_64) {
    if (regno >= 17 && regno <= 32) return kXmm[regno - 17];
    if (regno >= 33 && regno <= 40) return kSt[regno - 33];
  }
  if (arch == Arch::i386) {
    if (regno >= 21 && regno <= 28) return kXmm[regno - 21];
    if (regno >= 11 && regno <= 18) return kSt[regno - 11];
  }
  return {};
}

std::vector<std::byte> to_bytes(std::uint64_t v, std::size_t size, bool big) {
  std::vector<std::byte> out(size);
  for (std::size_t i = 0; i < size && i < 8; ++i) out[big ? size - 1 - i : i] = static_cast<std::byte>(v >> (8 * i));
  return out;
}

bool big_endian(Arch arch) { return arch == Arch::s390x; }

}  // namespace

Known<std::vector<std::byte>> ProcessMemory::read(std::uint64_t address, std::size_t size) const {
  std::vector<std::byte> out(size);
  auto r = source_.read(address, out);
  if (r) return out;
  const Error& e = r.error();
  Unavailable u;
  u.address = e.where.value_or(address);
  u.why = e.code == ErrorCode::not_saved ? Unavailable::Why::not_in_core
          : e.code == ErrorCode::not_mapped ? Unavailable::Why::not_mapped : Unavailable::Why::error;
  u.detail = e.message;
  return unavailable(std::move(u));
}

FrameContext::FrameContext(FrameWorld& world, std::size_t index, const ScopesAt& scopes, int entry_depth)
    : FrameContext(world, world.frames[index], index + 1, scopes, entry_depth, std::nullopt) {
  index_ = index;
}

FrameContext::FrameContext(FrameWorld& world, const PhysicalFrame& frame, std::size_t caller, const ScopesAt& scopes,
                           int entry_depth, std::optional<std::uint64_t> cfa)
    : world_(world), frame_(frame), index_(caller > 0 ? caller - 1 : 0), caller_(caller), cfa_(cfa), scopes_(scopes),
      entry_depth_(entry_depth) {
  unit_ = world.session.unit_of(scopes);
  format_.address_size = unit_.address_size;
  format_.offset_size = unit_.offset_size;
  format_.version = unit_.version;
}

Known<std::uint64_t> FrameContext::reg(unsigned regno) const {
  const PhysicalFrame& f = frame_;
  Arch arch = world_.session.arch();
  std::string_view name = dwarf_register_name(arch, regno);
  if (!name.empty()) {
    for (const auto& r : f.registers) {
      if (r.name == name) return r.value;
    }
    return unavailable(register_not_recovered(std::string(name)));
  }
  std::string_view wide = wide_register_name(arch, regno);
  if (!wide.empty()) {
    if (f.wide != nullptr) {
      for (const auto& w : *f.wide) {
        if (w.name != wide) continue;
        std::uint64_t v = 0;
        for (std::size_t i = 0; i < w.bytes.size() && i < 8; ++i) v |= std::uint64_t(w.bytes[i]) << (8 * i);
        return v;
      }
    }
    return unavailable(register_not_recovered(std::string(wide)));
  }
  return unavailable(register_not_recovered("DWARF register " + std::to_string(regno)));
}

Known<std::vector<std::byte>> FrameContext::register_bytes(unsigned regno, std::size_t size) const {
  const PhysicalFrame& f = frame_;
  std::string_view wide = wide_register_name(world_.session.arch(), regno);
  if (!wide.empty()) {
    if (f.wide != nullptr) {
      for (const auto& w : *f.wide) {
        if (w.name != wide) continue;
        if (size > w.bytes.size()) return unavailable(value_error(std::to_string(size) + " bytes in " + std::string(wide)));
        std::vector<std::byte> out(size);
        for (std::size_t i = 0; i < size; ++i) out[i] = static_cast<std::byte>(w.bytes[i]);
        return out;
      }
    }
    return unavailable(register_not_recovered(std::string(wide)));
  }
  auto v = reg(regno);
  if (!v) return unavailable(v.error());
  if (size > 8) return unavailable(value_error("a " + std::to_string(size) + "-byte value in one register"));
  // The value's low-order bytes: the first ones in little-endian order.
  return to_bytes(*v, size, big_endian(world_.session.arch()));
}

Known<std::uint64_t> FrameContext::read(std::uint64_t address, std::size_t size) const {
  auto bytes = world_.memory.read(address, size);
  if (!bytes) return unavailable(bytes.error());
  std::uint64_t v = 0;
  bool big = big_endian(world_.session.arch());
  for (std::size_t i = 0; i < size; ++i) {
    std::size_t k = big ? i : size - 1 - i;
    v = (v << 8) | std::to_integer<std::uint8_t>((*bytes)[k]);
  }
  return v;
}

Known<std::uint64_t> FrameContext::cfa() const {
  if (cfa_) return *cfa_;
  if (!cfa_found_) cfa_found_ = cfa_by_cfi();
  return *cfa_found_;
}

Known<std::uint64_t> FrameContext::cfa_by_cfi() const {
  const PhysicalFrame& f = frame_;
  auto by_cfi = world_.session.cfa(f.lookup_pc, [&](unsigned regno) -> std::optional<std::uint64_t> {
    auto v = reg(regno);
    return v ? std::optional<std::uint64_t>(*v) : std::nullopt;
  });
  if (by_cfi) return *by_cfi;
  // Without CFI here: the caller's stack pointer is where this frame's call left it.
  if (caller_ < world_.frames.size() && world_.frames[caller_].sp) return *world_.frames[caller_].sp;
  return unavailable(value_error("no call frame information at " + hex(f.lookup_pc)));
}

Known<std::uint64_t> FrameContext::frame_base() const {
  if (frame_base_) return *frame_base_;
  // The frame base is the concrete function's: the outermost scope (inlined calls have none).
  Dwarf_Die fn = scopes_.scopes.front();
  // Its expression at this pc is the same in every thread stopped here: looked up once.
  LocationAt fresh;
  const LocationAt* at = &fresh;
  auto look_up = [&] {
    Dwarf_Attribute attr;
    fresh.has_location = dwarf_attr(&fn, DW_AT_frame_base, &attr) != nullptr;
    if (fresh.has_location) fresh.expression = location_bytes(&fn);
  };
  if (world_.locations != nullptr) {
    auto key = std::make_pair(die_key(&fn), frame_.lookup_pc);
    if (auto it = world_.locations->find(key); it != world_.locations->end()) {
      at = &it->second;
    } else {
      if (world_.locations->size() >= kMaxCachedLocations) world_.locations->clear();
      look_up();
      at = &world_.locations->emplace(key, std::move(fresh)).first->second;
    }
  } else {
    look_up();
  }
  if (!at->has_location) {
    frame_base_ = Known<std::uint64_t>(unavailable(value_error("the function has no DW_AT_frame_base")));
    return *frame_base_;
  }
  // A copy: evaluating may resolve entry values, whose lookups can empty the cache.
  Known<std::vector<std::byte>> expr = at->expression;
  if (!expr) {
    frame_base_ = Known<std::uint64_t>(unavailable(expr.error()));
  } else if (expr->empty()) {
    frame_base_ = Known<std::uint64_t>(unavailable(optimized_out()));
  } else {
    frame_base_ = evaluate_value(*expr, format_, *this);
  }
  return *frame_base_;
}

Known<std::uint64_t> FrameContext::address_index(std::uint64_t index) const {
  if (!unit_.addr_base) return unavailable(value_error("an indexed address in a unit without DW_AT_addr_base"));
  Dwarf* dwarf = dwarf_cu_getdwarf(scopes_.cu.cu);
  auto v = debug_addr_entry(world_.session.section(dwarf, ".debug_addr"), *unit_.addr_base, index, unit_.address_size);
  if (!v) return unavailable(value_error(v.error()));
  return *v;
}

Known<ExpressionContext::BaseType> FrameContext::base_type(std::uint64_t cu_offset) const {
  Dwarf_Die cu = scopes_.cu;
  auto die = world_.types.unit_die(&cu, cu_offset);
  if (!die || dwarf_tag(&*die) != DW_TAG_base_type) {
    return unavailable(value_error("no base type at unit offset " + hex(cu_offset)));
  }
  BaseType t;
  t.size = static_cast<std::uint8_t>(std::min<std::uint64_t>(die_udata(&*die, DW_AT_byte_size).value_or(0), 255));
  auto enc = die_udata(&*die, DW_AT_encoding).value_or(0);
  t.is_signed = enc == DW_ATE_signed || enc == DW_ATE_signed_char;
  t.is_float = enc == DW_ATE_float;
  return t;
}

Known<std::vector<std::byte>> FrameContext::location_bytes(Dwarf_Die* die) const {
  return location_bytes_at(die, frame_.lookup_pc);
}

Known<std::vector<std::byte>> FrameContext::location_bytes_at(Dwarf_Die* die, std::uint64_t pc) const {
  Dwarf_Attribute attr;
  unsigned name = dwarf_tag(die) == DW_TAG_subprogram ? DW_AT_frame_base : DW_AT_location;
  if (dwarf_attr(die, name, &attr) == nullptr) return std::vector<std::byte>{};
  auto copy = [](const unsigned char* p, std::size_t n) {
    std::vector<std::byte> out(n);
    for (std::size_t i = 0; i < n; ++i) out[i] = static_cast<std::byte>(p[i]);
    return out;
  };
  switch (attr.form) {
    case DW_FORM_exprloc:
    case DW_FORM_block:
    case DW_FORM_block1:
    case DW_FORM_block2:
    case DW_FORM_block4: {
      Dwarf_Block block;
      if (dwarf_formblock(&attr, &block) != 0) return unavailable(value_error("an unreadable location expression"));
      return copy(block.data, block.length);
    }
    default: break;
  }
  // A location list: at the frame's pc, in the unit's .debug_loc or .debug_loclists.
  Dwarf* dwarf = dwarf_cu_getdwarf(attr.cu);
  // Decoded from the attribute's own bytes (libdw validated their extent when it found them).
  std::uint64_t offset = 0;
  const unsigned char* p = attr.valp;
  if (p == nullptr) return unavailable(value_error("a location attribute without a value"));
  auto fixed = [&](std::size_t n) {
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < n; ++i) v |= std::uint64_t(p[i]) << (8 * i);
    return v;
  };
  switch (attr.form) {
    case DW_FORM_loclistx: {
      std::uint64_t index = 0;
      for (unsigned i = 0, shift = 0; i < 10; ++i, shift += 7) {
        index |= std::uint64_t(p[i] & 0x7f) << shift;
        if ((p[i] & 0x80) == 0) break;
      }
      // Without DW_AT_loclists_base, the first contribution's offsets follow its header.
      std::uint64_t base = unit_.loclists_base.value_or(unit_.offset_size == 8 ? 20 : 12);
      auto o = loclistx_offset(world_.session.section(dwarf, ".debug_loclists"), base, index, unit_.offset_size);
      if (!o) return unavailable(value_error(o.error()));
      offset = *o;
      break;
    }
    case DW_FORM_sec_offset: offset = fixed(unit_.offset_size); break;
    case DW_FORM_data4: offset = fixed(4); break;
    case DW_FORM_data8: offset = fixed(8); break;
    default: return unavailable(value_error("a location in form " + hex(attr.form)));
  }
  LocationListFormat f;
  f.version = unit_.version;
  f.address_size = unit_.address_size;
  f.base_address = unit_.base_address;
  f.addr_base = unit_.addr_base;
  f.debug_addr = world_.session.section(dwarf, ".debug_addr");
  auto section = world_.session.section(dwarf, unit_.version >= 5 ? ".debug_loclists" : ".debug_loc");
  auto found = find_in_location_list(section, offset, pc - scopes_.bias, f);
  if (!found) return unavailable(value_error(found.error()));
  if (!*found) return std::vector<std::byte>{};
  std::vector<std::byte> out((*found)->begin(), (*found)->end());
  return out;
}

Known<std::vector<std::byte>> FrameContext::piece_bytes(const LocationPiece& p, std::size_t size) const {
  bool big = big_endian(world_.session.arch());
  switch (p.kind) {
    case LocationPiece::Kind::memory: return world_.memory.read(p.address, size);
    case LocationPiece::Kind::reg: return register_bytes(p.regno, size);
    case LocationPiece::Kind::value:
      if (size > 8) return unavailable(value_error("a computed value of " + std::to_string(size) + " bytes"));
      return to_bytes(p.value, size, big);
    case LocationPiece::Kind::implicit:
      if (p.bytes.size() < size) {
        return unavailable(value_error("an implicit value of " + std::to_string(p.bytes.size()) + " bytes for " +
                                       std::to_string(size)));
      }
      return std::vector<std::byte>(p.bytes.begin(), p.bytes.begin() + static_cast<std::ptrdiff_t>(size));
    case LocationPiece::Kind::optimized_out: return unavailable(optimized_out());
    case LocationPiece::Kind::implicit_pointer: break;
  }
  return unavailable(value_error("an implicit pointer inside a composite value"));
}

}  // namespace corelens::values
