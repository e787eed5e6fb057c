#include "core/analysis/cxx_exception.hpp"

#include <cxxabi.h>

#include <array>
#include <bit>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <cstring>
#include <memory>
#include <vector>

#include "core/analysis/explain.hpp"
#include "core/analysis/memory_read.hpp"
#include "core/file/byte_reader.hpp"
#include "core/model/strings.hpp"

namespace corelens {
namespace {

// The exception class libstdc++ puts in every _Unwind_Exception it throws, as the bytes in
// memory: "GNUCC++\0" written as one 64-bit number, so its bytes depend on the byte order; ARM's
// EHABI stores it as a char[8].
constexpr std::uint64_t kGnuCxx = 0x474e5543432b2b00ull;
constexpr std::size_t kScanBytes = 64 * 1024;
constexpr std::size_t kMaxMessage = 4096;
constexpr int kMaxBases = 32;       // type_info nodes visited for one exception type
constexpr std::uint32_t kMaxBaseCount = 64;  // bases of one class (__vmi_class_type_info)
constexpr std::string_view kStdString = "NSt7__cxx1112basic_stringIcSt11char_traitsIcESaIcEEE";

// Where libstdc++'s __cxa_exception (unwind-cxx.h) puts things, for the dumped process's ABI:
// the header before the thrown object starts with the type_info pointer, ends with the
// unwinder's exception record, and the object follows that record. LP64: five pointers, two
// ints and four pointers, then a 32-byte _Unwind_Exception; i386 the same in 4-byte pointers,
// the record 16-aligned (__BIGGEST_ALIGNMENT__); arm (EHABI): five pointers, an int, a pointer
// and an int, then the 88-byte _Unwind_Control_Block.
struct CxxAbi {
  const MemorySource& memory;
  Arch arch;
  unsigned p = 8;                    // pointer, long and size_t bytes
  std::uint64_t header_to_unwind = 80;
  std::uint64_t unwind_size = 32;

  CxxAbi(const MemorySource& m, Arch a) : memory(m), arch(a), p(pointer_size(a)) {
    if (a == Arch::i386) header_to_unwind = 48;
    if (a == Arch::arm) {
      header_to_unwind = 32;
      unwind_size = 88;
    }
  }
  std::optional<std::uint64_t> ptr(std::uint64_t addr) const { return read_pointer(memory, addr, arch); }
  // A signed long (ptrdiff_t) of the process.
  std::optional<std::int64_t> slong(std::uint64_t addr) const {
    auto v = ptr(addr);
    if (!v) return std::nullopt;
    return p == 4 ? std::int64_t{static_cast<std::int32_t>(*v)} : static_cast<std::int64_t>(*v);
  }
  // An unsigned value of SIZE bytes (1, 2, 4 or 8) in the process's byte order.
  std::optional<std::uint64_t> uint_n(std::uint64_t addr, unsigned size) const {
    std::array<std::byte, 8> b{};
    if (size == 0 || size > 8 || !memory.read(addr, std::span(b.data(), size))) return std::nullopt;
    std::uint64_t v = 0;
    for (unsigned i = 0; i < size; ++i) {
      unsigned k = byte_order(arch) == std::endian::little ? size - 1 - i : i;
      v = (v << 8) | std::to_integer<std::uint64_t>(b[k]);
    }
    return v;
  }
  bool is_gnu_cxx(std::uint64_t unwind) const {
    std::array<std::byte, 8> b{};
    if (!memory.read(unwind, b)) return false;
    std::uint64_t v = 0;
    for (std::size_t i = 0; i < 8; ++i) {  // as a big-endian number: "GNUCC++\0" in byte order
      std::size_t k = arch == Arch::arm || byte_order(arch) == std::endian::big ? i : 7 - i;
      v = (v << 8) | std::to_integer<std::uint64_t>(b[k]);
    }
    return v == kGnuCxx;
  }
};

std::string demangle_type(const std::string& mangled) {
  int status = 0;
  std::unique_ptr<char, decltype(&std::free)> d(abi::__cxa_demangle(mangled.c_str(), nullptr, nullptr, &status),
                                                &std::free);
  return status == 0 && d ? std::string(d.get()) : mangled;
}

bool contains(std::string_view haystack, std::string_view needle) { return haystack.find(needle) != std::string_view::npos; }

// The mangled name of a type_info (GCC marks types with internal linkage with a leading '*').
std::optional<std::string> type_name(const CxxAbi& abi, std::uint64_t tinfo) {
  auto ptr = abi.ptr(tinfo + abi.p);
  auto name = ptr ? read_cstring(abi.memory, *ptr, 256) : std::nullopt;
  if (!name || name->empty() || printable(*name) != *name) return std::nullopt;
  if (name->front() == '*') name->erase(0, 1);
  return name;
}

// Which kind of type_info this is, by the symbol of its vtable ("vtable for
// __cxxabiv1::__si_class_type_info"): the layout of what follows depends on it.
enum class TypeInfoKind { unknown, class_plain, class_si, class_vmi, other };
TypeInfoKind kind_of(const CxxAbi& abi, const SymbolLookup* symbols, std::uint64_t tinfo) {
  if (symbols == nullptr) return TypeInfoKind::unknown;
  auto vptr = abi.ptr(tinfo);
  auto name = vptr ? symbols->name_at(*vptr) : std::nullopt;
  if (!name) return TypeInfoKind::unknown;
  if (contains(*name, "__si_class_type_info")) return TypeInfoKind::class_si;
  if (contains(*name, "__vmi_class_type_info")) return TypeInfoKind::class_vmi;
  if (contains(*name, "__class_type_info")) return TypeInfoKind::class_plain;
  return TypeInfoKind::other;
}

struct Subobject {
  std::string mangled;
  std::uint64_t offset = 0;  // from the start of the thrown object
};

// The class and all its bases with their offsets in OBJECT, from the type_info chain. A virtual
// base's offset is stored in the vtable of the subobject that has it, at the (negative) offset
// the base_info gives.
void collect_bases(const CxxAbi& abi, const SymbolLookup* symbols, std::uint64_t object, std::uint64_t tinfo,
                   std::uint64_t offset, std::vector<Subobject>& out) {
  if (static_cast<int>(out.size()) >= kMaxBases) return;
  auto name = type_name(abi, tinfo);
  if (!name) return;
  out.push_back({*name, offset});
  const std::uint64_t p = abi.p;
  switch (kind_of(abi, symbols, tinfo)) {
    case TypeInfoKind::class_si:
      if (auto base = abi.ptr(tinfo + 2 * p)) collect_bases(abi, symbols, object, *base, offset, out);
      return;
    case TypeInfoKind::class_vmi: {
      // __vmi_class_type_info: u32 flags, u32 base_count, then {type_info* base, long offset_flags}.
      auto count = abi.uint_n(tinfo + 2 * p + 4, 4);
      if (!count) return;
      for (std::uint64_t i = 0; i < std::min<std::uint64_t>(*count, kMaxBaseCount); ++i) {
        auto base = abi.ptr(tinfo + 2 * p + 8 + 2 * p * i);
        auto flags = abi.slong(tinfo + 3 * p + 8 + 2 * p * i);
        if (!base || !flags) return;
        auto shifted = *flags >> 8;  // signed: a vtable offset is negative
        std::uint64_t at = offset + static_cast<std::uint64_t>(shifted);
        if (*flags & 1) {  // virtual base
          auto vptr = abi.ptr(object + offset);
          auto vbase = vptr ? abi.slong(*vptr + static_cast<std::uint64_t>(shifted)) : std::nullopt;
          if (!vbase) continue;
          at = offset + static_cast<std::uint64_t>(*vbase);
        }
        collect_bases(abi, symbols, object, *base, at, out);
      }
      return;
    }
    default:
      return;
  }
}

const Subobject* find_base(const std::vector<Subobject>& bases, std::initializer_list<std::string_view> names) {
  for (const auto& b : bases) {
    for (auto n : names) {
      if (b.mangled == n) return &b;
    }
  }
  return nullptr;
}

// The constant what() of libstdc++'s exception classes that store no message.
std::optional<std::string> constant_what(std::string_view function) {
  static constexpr std::array<std::pair<std::string_view, std::string_view>, 10> kConstant{{
      {"std::exception::what", "std::exception"},
      {"std::bad_exception::what", "std::bad_exception"},
      {"std::bad_alloc::what", "std::bad_alloc"},
      {"std::bad_array_new_length::what", "std::bad_array_new_length"},
      {"std::bad_cast::what", "std::bad_cast"},
      {"std::bad_typeid::what", "std::bad_typeid"},
      {"std::bad_function_call::what", "bad_function_call"},
      {"std::bad_weak_ptr::what", "bad_weak_ptr"},
      {"std::bad_optional_access::what", "bad optional access"},
      {"std::bad_any_cast::what", "bad any_cast"},
  }};
  for (const auto& [f, what] : kConstant) {
    if (function == f) return std::string(what);
  }
  return std::nullopt;
}

// A thrown value that is not a class: read it as the catch clause would see it.
std::optional<std::string> value_of(const CxxAbi& abi, const std::string& mangled, std::uint64_t object) {
  // The value's size in the process: long, size_t and pointers are a word; long long 8.
  unsigned size = 8;
  if (mangled == "i" || mangled == "j" || mangled == "f") size = 4;
  else if (mangled == "s" || mangled == "t") size = 2;
  else if (mangled == "b" || mangled == "c" || mangled == "a" || mangled == "h") size = 1;
  else if (mangled == "l" || mangled == "m" || mangled == "PKc" || mangled == "Pc" || mangled == kStdString) size = abi.p;
  auto word = abi.uint_n(object, size);
  if (!word) return std::nullopt;
  std::uint64_t v = *word;
  if (mangled == "l" && size == 4) v = static_cast<std::uint64_t>(std::int64_t{static_cast<std::int32_t>(v)});
  if (mangled == "i" || mangled == "l" || mangled == "x") {
    std::int64_t s = mangled == "i" ? static_cast<std::int32_t>(v) : static_cast<std::int64_t>(v);
    return std::to_string(s);
  }
  if (mangled == "s") return std::to_string(static_cast<std::int16_t>(v));
  if (mangled == "j") return std::to_string(static_cast<std::uint32_t>(v));
  if (mangled == "t") return std::to_string(static_cast<std::uint16_t>(v));
  if (mangled == "m" || mangled == "y") return std::to_string(v);
  if (mangled == "b") return (v & 0xff) != 0 ? "true" : "false";
  if (mangled == "c" || mangled == "a" || mangled == "h") return std::to_string(v & 0xff);
  if (mangled == "d" || mangled == "f") {
    // The shortest text that reads back as the same value, as a debugger prints it.
    std::array<char, 64> buf{};
    auto r = mangled == "d" ? std::to_chars(buf.data(), buf.data() + buf.size(), std::bit_cast<double>(v))
                            : std::to_chars(buf.data(), buf.data() + buf.size(),
                                            std::bit_cast<float>(static_cast<std::uint32_t>(v)));
    return std::string(buf.data(), r.ptr);
  }
  if (mangled == "PKc" || mangled == "Pc") {
    auto s = read_cstring(abi.memory, v, kMaxMessage);
    return s ? std::optional<std::string>(printable(*s)) : std::nullopt;
  }
  // libstdc++'s std::string (the C++11 ABI): the data pointer, then the length.
  if (mangled == kStdString) {
    auto length = abi.ptr(object + abi.p);
    auto s = length ? read_string(abi.memory, v, *length, kMaxMessage) : std::nullopt;
    return s ? std::optional<std::string>(printable(*s)) : std::nullopt;
  }
  return std::nullopt;
}

bool is_class_name(const std::string& mangled) {
  // <class-enum-type>: a source name (length first), a nested name (N...E) or a substitution (S...).
  return !mangled.empty() && (std::isdigit(static_cast<unsigned char>(mangled.front())) || mangled.front() == 'N' ||
                              mangled.front() == 'S' || mangled.front() == 'Z');
}

RecoveredException describe(const CxxAbi& abi, const SymbolLookup* symbols, std::uint64_t tinfo,
                            const std::string& mangled, std::uint64_t object) {
  const MemorySource& memory = abi.memory;
  RecoveredException ex;
  ex.type = demangle_type(mangled);
  if (mangled == kStdString) ex.type = "std::string";  // what the program's source says
  if (!is_class_name(mangled) || mangled == kStdString) {
    if (auto v = value_of(abi, mangled, object)) ex.what = *v;
    else ex.note = "a " + ex.type + " value that corelens does not read";
    return ex;
  }
  std::vector<Subobject> bases;
  collect_bases(abi, symbols, object, tinfo, 0, bases);
  const Subobject* message_base = find_base(bases, {"St13runtime_error", "St11logic_error"});
  std::optional<std::string> base_message;
  if (message_base != nullptr) {
    // Their message is a copy-on-write string (a pointer to the characters) after the vptr.
    auto chars = abi.ptr(object + message_base->offset + abi.p);
    auto text = chars ? read_cstring(memory, *chars, kMaxMessage) : std::nullopt;
    if (text) base_message = printable(*text);
  }
  if (symbols == nullptr) {
    // No symbols: no base classes nor vtables to follow; the two classes themselves are safe.
    if (base_message && (mangled == "St13runtime_error" || mangled == "St11logic_error")) ex.what = *base_message;
    else ex.note = "what() not read: no symbols to check which what() the type has";
    return ex;
  }
  const Subobject* exception = find_base(bases, {"St9exception"});
  if (exception == nullptr) {
    ex.note = "not derived from std::exception: it has no what()";
    return ex;
  }
  // The what() this object's dynamic type has: slot 2 of the std::exception subobject's vtable,
  // after the two destructors.
  auto vptr = abi.ptr(object + exception->offset);
  auto fn = vptr ? abi.ptr(*vptr + 2 * abi.p) : std::nullopt;
  auto fname = fn ? symbols->name_at(*fn) : std::nullopt;
  if (!fname) {
    ex.note = "what() not read: its vtable could not be followed";
    return ex;
  }
  std::string base = function_base_name(*fname);
  for (std::string_view thunk : {"non-virtual thunk to ", "virtual thunk to "}) {
    if (base.starts_with(thunk)) base.erase(0, thunk.size());
  }
  if (base == "std::runtime_error::what" || base == "std::logic_error::what" || base == "std::future_error::what") {
    // std::future_error::what() returns logic_error::what() in libstdc++.
    if (base_message) ex.what = *base_message;
    else ex.note = "what() not read: the message string is unreadable";
  } else if (auto constant = constant_what(base)) {
    ex.what = *constant;
  } else if (base == "std::bad_variant_access::what") {
    // It returns its _M_reason, a string literal, stored after the vptr.
    auto reason = abi.ptr(object + exception->offset + abi.p);
    auto text = reason ? read_cstring(memory, *reason, kMaxMessage) : std::nullopt;
    if (text) ex.what = printable(*text);
  } else {
    ex.note = "what() is " + base + "(), which corelens does not run";
    if (base_message) ex.note += "; the message given to its std::" +
                                 std::string(message_base->mangled == "St13runtime_error" ? "runtime_error" : "logic_error") +
                                 " base: \"" + *base_message + "\"";
  }
  return ex;
}

}  // namespace

std::optional<RecoveredException> find_inflight_exception(const ThreadReport& crashed, const MemorySource& memory,
                                                          const SymbolLookup* symbols, Arch arch) {
  if (arch == Arch::unknown) return std::nullopt;
  const CxxAbi abi(memory, arch);
  auto sp = register_value(crashed.registers, sp_register(arch));
  if (!sp) return std::nullopt;
  // Page by page up to the first unreadable one: the stack may end a few hundred bytes above sp.
  std::vector<std::byte> stack(kScanBytes);
  std::size_t have = 0;
  while (have < kScanBytes) {
    std::uint64_t at = *sp + have;
    std::size_t chunk = std::min<std::size_t>(4096 - (at & 4095), kScanBytes - have);
    if (!memory.read(at, std::span<std::byte>(stack.data() + have, chunk))) break;
    have += chunk;
  }
  const ByteReader words(std::span<const std::byte>(stack.data(), have), 0, byte_order(arch));
  for (std::size_t off = 0; off + abi.p <= have; off += abi.p) {
    std::uint64_t word = abi.p == 4 ? std::uint64_t{*words.u32(off)} : *words.u64(off);
    if (word < kNullPageLimit || word % abi.p != 0) continue;
    // The word may point at the unwinder's record, at the header, or at the thrown object.
    for (std::uint64_t unwind : {word, word + abi.header_to_unwind, word - abi.unwind_size}) {
      if (!abi.is_gnu_cxx(unwind)) continue;
      auto tinfo = abi.ptr(unwind - abi.header_to_unwind);
      if (!tinfo || *tinfo < kNullPageLimit) continue;
      auto mangled = type_name(abi, *tinfo);
      if (!mangled) continue;
      return describe(abi, symbols, *tinfo, *mangled, unwind + abi.unwind_size);
    }
  }
  return std::nullopt;
}

}  // namespace corelens
