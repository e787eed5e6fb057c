// The kernel's BTF (BPF Type Format), found in the dump's memory between __start_BTF and
// __stop_BTF (DEBUG_INFO_BTF=y, as Debian builds it): the layout of every kernel struct, so struct
// module, per-cpu stacks and (later) task_struct can be read without a vmlinux or hard-coded
// offsets. Format: include/uapi/linux/btf.h and Documentation/bpf/btf.rst:
//   header   u16 magic 0xeb9f, u8 version 1, u8 flags, u32 hdr_len, then type_off/type_len and
//            str_off/str_len (u32 each), relative to the end of the header
//   types    one after another, ids from 1: u32 name_off, u32 info (vlen bits 0-15, kind bits
//            24-28, kind_flag bit 31), u32 size or type, then per kind: INT u32; ARRAY 3 u32;
//            STRUCT/UNION vlen x {name_off, type, offset}; ENUM vlen x 2 u32; FUNC_PROTO vlen x
//            2 u32; VAR u32; DATASEC vlen x 3 u32; DECL_TAG u32; ENUM64 vlen x 3 u32
//   strings  NUL-terminated, name_off indexes them
// Member offsets are in bits (with kind_flag: bits 0-23, a bitfield's size in bits 24-31).
//
// Ownership: KernelBtf owns a copy of the BTF bytes and an index of them.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "core/model/diagnostics.hpp"
#include "core/model/error.hpp"
#include "core/model/kernel/kernel_memory.hpp"
#include "parsers/kernel/kallsyms.hpp"

namespace corelens {

struct BtfLimits {
  std::uint64_t max_bytes = 64ull << 20;  // Debian 6.1's is 4.3 MB
  std::uint32_t max_types = 1u << 21;
  std::size_t max_depth = 8;              // anonymous struct/union nesting, typedef chains
};

class KernelBtf {
 public:
  KernelBtf() = default;
  // Move only: the index holds views of the bytes, which a move keeps and a copy would not.
  KernelBtf(KernelBtf&&) = default;
  KernelBtf& operator=(KernelBtf&&) = default;
  KernelBtf(const KernelBtf&) = delete;
  KernelBtf& operator=(const KernelBtf&) = delete;

  static Result<KernelBtf> parse(std::vector<std::byte> bytes, const BtfLimits& limits = {});

  std::size_t type_count() const { return types_.size(); }
  // A struct (or union) with this name that has members (not a forward declaration).
  std::optional<std::uint32_t> find_struct(std::string_view name) const;

  struct Member {
    std::uint64_t offset = 0;  // bytes from the start of the outer struct
    std::uint32_t type = 0;
  };
  // PATH names members separated by dots ("arch.orc_unwind_ip"); members of anonymous structs and
  // unions are found as the C compiler finds them. Bitfields are not members here.
  std::optional<Member> member(std::uint32_t struct_id, std::string_view path) const;
  std::optional<std::uint64_t> offset_of(std::string_view struct_name, std::string_view path) const;
  // sizeof(TYPE), through typedefs and qualifiers; pointers are 8 bytes.
  std::optional<std::uint64_t> size_of(std::uint32_t type) const;
  // The element type and count of an array TYPE (through typedefs and qualifiers).
  struct Array {
    std::uint32_t element = 0;
    std::uint32_t count = 0;
  };
  std::optional<Array> array(std::uint32_t type) const;
  // A per-cpu variable's offset in the per-cpu section (.data..percpu's VAR entries).
  std::optional<std::uint64_t> percpu_offset(std::string_view var) const;

 private:
  struct Type {
    std::uint32_t at = 0;  // offset of its btf_type in types_bytes
    std::uint32_t name_off = 0;
    std::uint8_t kind = 0;
    bool kind_flag = false;
    std::uint16_t vlen = 0;
    std::uint32_t size_or_type = 0;
  };
  const Type* type(std::uint32_t id) const;
  std::uint32_t resolve(std::uint32_t id) const;  // skips typedef, volatile, const, restrict, type tags
  std::string_view name(std::uint32_t off) const;
  std::uint32_t u32(std::size_t at) const;  // in types_bytes; bounds checked at parse
  std::optional<Member> find_member(std::uint32_t struct_id, std::string_view name, std::size_t depth) const;
  std::optional<std::uint64_t> size_of(std::uint32_t type, std::size_t depth) const;

  std::vector<std::byte> bytes_;
  std::size_t types_at_ = 0, types_len_ = 0, strings_at_ = 0, strings_len_ = 0;
  std::vector<Type> types_;  // types_[id - 1]
  std::unordered_multimap<std::string_view, std::uint32_t> structs_;
  std::unordered_map<std::string_view, std::uint32_t> percpu_;  // per-cpu variable -> offset
  std::size_t max_depth_ = 8;
};

// Reads the BTF between kallsyms' __start_BTF and __stop_BTF, or (kallsyms without data symbols)
// the first BTF header in the kernel image from _stext. nullopt with a diagnostic when the kernel
// has none or it does not parse.
std::optional<KernelBtf> read_kernel_btf(const KernelMemory& memory, const KernelSymbols& symbols, Diagnostics& diags,
                                         const BtfLimits& limits = {});

}  // namespace corelens
