#include "unwinder/values/location_lists.hpp"

#include <dwarf.h>

#include "core/model/strings.hpp"

namespace corelens::values {
namespace {

using Bytes = std::span<const std::byte>;

unexpected<std::string> bad(std::string what) { return unexpected<std::string>(std::move(what)); }

class Reader {
 public:
  Reader(Bytes bytes, std::uint64_t pos) : bytes_(bytes), pos_(pos) {}
  std::uint64_t pos() const { return pos_; }
  bool fixed(std::size_t size, std::uint64_t& out) {
    if (pos_ > bytes_.size() || bytes_.size() - pos_ < size || size > 8) return false;
    out = 0;
    for (std::size_t i = 0; i < size; ++i) out |= std::uint64_t(std::to_integer<std::uint8_t>(bytes_[pos_ + i])) << (8 * i);
    pos_ += size;
    return true;
  }
  bool uleb(std::uint64_t& out) {
    out = 0;
    for (unsigned shift = 0; pos_ < bytes_.size(); shift += 7) {
      auto b = std::to_integer<std::uint8_t>(bytes_[pos_++]);
      if (shift < 64) out |= std::uint64_t(b & 0x7f) << shift;
      if ((b & 0x80) == 0) return true;
      if (shift > 70) return false;
    }
    return false;
  }
  bool block(std::uint64_t size, Bytes& out) {
    if (pos_ > bytes_.size() || size > bytes_.size() - pos_) return false;
    out = bytes_.subspan(pos_, size);
    pos_ += size;
    return true;
  }

 private:
  Bytes bytes_;
  std::uint64_t pos_;
};

std::string truncated(std::uint64_t at) { return "location list truncated at offset " + hex(at); }

bool covers(std::uint64_t start, std::uint64_t end, std::uint64_t pc) { return pc >= start && pc < end; }

expected<std::optional<Bytes>, std::string> find_v4(Bytes section, std::uint64_t offset, std::uint64_t pc,
                                                    const LocationListFormat& f) {
  Reader r(section, offset);
  const std::uint64_t all_ones = f.address_size == 8 ? ~std::uint64_t{0} : 0xffffffffu;
  std::uint64_t base = f.base_address;
  for (std::size_t n = 0; n < kMaxLocationListEntries; ++n) {
    std::uint64_t begin = 0, end = 0, length = 0;
    if (!r.fixed(f.address_size, begin) || !r.fixed(f.address_size, end)) return bad(truncated(r.pos()));
    if (begin == 0 && end == 0) return std::optional<Bytes>{};
    if (begin == all_ones) {  // a base address selection entry
      base = end;
      continue;
    }
    Bytes expr;
    if (!r.fixed(2, length) || !r.block(length, expr)) return bad(truncated(r.pos()));
    if (covers(base + begin, base + end, pc)) return std::optional<Bytes>{expr};
  }
  return bad("location list at " + hex(offset) + " has more than " + std::to_string(kMaxLocationListEntries) + " entries");
}

expected<std::optional<Bytes>, std::string> find_v5(Bytes section, std::uint64_t offset, std::uint64_t pc,
                                                    const LocationListFormat& f) {
  Reader r(section, offset);
  std::uint64_t base = f.base_address;
  std::optional<Bytes> fallback;  // DW_LLE_default_location
  auto indexed = [&](std::uint64_t index) -> expected<std::uint64_t, std::string> {
    if (!f.addr_base) return bad("an indexed address in a unit without DW_AT_addr_base");
    return debug_addr_entry(f.debug_addr, *f.addr_base, index, f.address_size);
  };
  for (std::size_t n = 0; n < kMaxLocationListEntries; ++n) {
    std::uint64_t kind = 0, a = 0, b = 0, length = 0;
    const std::uint64_t at = r.pos();
    if (!r.fixed(1, kind)) return bad(truncated(at));
    std::uint64_t start = 0, end = 0;
    bool has_range = true;
    switch (kind) {
      case DW_LLE_end_of_list: return fallback;
      case DW_LLE_base_addressx: {
        if (!r.uleb(a)) return bad(truncated(at));
        auto v = indexed(a);
        if (!v) return bad(v.error());
        base = *v;
        continue;
      }
      case DW_LLE_base_address:
        if (!r.fixed(f.address_size, base)) return bad(truncated(at));
        continue;
      case DW_LLE_GNU_view_pair:  // location views (gcc -gvariable-location-views=incompat5)
        if (!r.uleb(a) || !r.uleb(b)) return bad(truncated(at));
        continue;
      case DW_LLE_startx_endx: {
        if (!r.uleb(a) || !r.uleb(b)) return bad(truncated(at));
        auto s = indexed(a);
        if (!s) return bad(s.error());
        auto e = indexed(b);
        if (!e) return bad(e.error());
        start = *s;
        end = *e;
        break;
      }
      case DW_LLE_startx_length: {
        if (!r.uleb(a) || !r.uleb(b)) return bad(truncated(at));
        auto s = indexed(a);
        if (!s) return bad(s.error());
        start = *s;
        end = start + b;
        break;
      }
      case DW_LLE_offset_pair:
        if (!r.uleb(a) || !r.uleb(b)) return bad(truncated(at));
        start = base + a;
        end = base + b;
        break;
      case DW_LLE_default_location: has_range = false; break;
      case DW_LLE_start_end:
        if (!r.fixed(f.address_size, start) || !r.fixed(f.address_size, end)) return bad(truncated(at));
        break;
      case DW_LLE_start_length:
        if (!r.fixed(f.address_size, start) || !r.uleb(b)) return bad(truncated(at));
        end = start + b;
        break;
      default: return bad("unknown location list entry " + hex(kind) + " at offset " + hex(at));
    }
    Bytes expr;
    if (!r.uleb(length) || !r.block(length, expr)) return bad(truncated(at));
    if (!has_range) fallback = expr;
    else if (covers(start, end, pc)) return std::optional<Bytes>{expr};
  }
  return bad("location list at " + hex(offset) + " has more than " + std::to_string(kMaxLocationListEntries) + " entries");
}

}  // namespace

expected<std::optional<std::span<const std::byte>>, std::string> find_in_location_list(
    std::span<const std::byte> section, std::uint64_t offset, std::uint64_t pc, const LocationListFormat& format) {
  if (format.address_size != 4 && format.address_size != 8) return bad("address size " + std::to_string(format.address_size));
  if (offset >= section.size()) return bad("location list offset " + hex(offset) + " is past its section");
  if (format.version >= 5) return find_v5(section, offset, pc, format);
  return find_v4(section, offset, pc, format);
}

expected<std::uint64_t, std::string> loclistx_offset(std::span<const std::byte> section, std::uint64_t loclists_base,
                                                     std::uint64_t index, std::uint8_t offset_size) {
  if (offset_size != 4 && offset_size != 8) return bad("offset size " + std::to_string(offset_size));
  std::uint64_t at = 0;
  if (__builtin_mul_overflow(index, std::uint64_t{offset_size}, &at) || __builtin_add_overflow(at, loclists_base, &at)) {
    return bad("location list index " + std::to_string(index) + " overflows");
  }
  Reader r(section, at);
  std::uint64_t relative = 0;
  if (!r.fixed(offset_size, relative)) return bad("location list index " + std::to_string(index) + " is past .debug_loclists");
  std::uint64_t offset = 0;
  if (__builtin_add_overflow(relative, loclists_base, &offset)) return bad("location list offset overflows");
  return offset;
}

expected<std::uint64_t, std::string> debug_addr_entry(std::span<const std::byte> debug_addr, std::uint64_t addr_base,
                                                      std::uint64_t index, std::uint8_t address_size) {
  std::uint64_t at = 0;
  if (__builtin_mul_overflow(index, std::uint64_t{address_size}, &at) || __builtin_add_overflow(at, addr_base, &at)) {
    return bad("address index " + std::to_string(index) + " overflows");
  }
  Reader r(debug_addr, at);
  std::uint64_t value = 0;
  if (!r.fixed(address_size, value)) return bad("address index " + std::to_string(index) + " is past .debug_addr");
  return value;
}

}  // namespace corelens::values
