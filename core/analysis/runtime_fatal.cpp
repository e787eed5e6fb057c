#include "core/analysis/runtime_fatal.hpp"

#include <algorithm>
#include <array>
#include <cctype>
#include <cstdio>
#include <cstring>
#include <map>
#include <vector>

#include "core/analysis/explain.hpp"
#include "core/analysis/memory_read.hpp"
#include "core/analysis/pointer_origin.hpp"
#include "core/analysis/rust_names.hpp"

namespace corelens {
namespace {

constexpr std::size_t kScanBytes = 64 * 1024;   // of the crashing thread's stack, above sp
constexpr std::size_t kMaxMessage = 64 * 1024;
constexpr std::size_t kMaxSymbolLookups = 4096;  // vtable slots named while scanning one stack
constexpr std::uint64_t kMaxFunctionBytes = 256 * 1024;

bool contains(std::string_view s, std::string_view needle) { return s.find(needle) != std::string_view::npos; }

// Text a program would print: valid UTF-8, no NUL or control characters but newline and tab.
bool is_text(const std::string& s) {
  for (std::size_t i = 0; i < s.size();) {
    auto c = static_cast<unsigned char>(s[i]);
    if (c < 0x80) {
      if ((c < 0x20 && c != '\n' && c != '\t' && c != '\r') || c == 0x7f) return false;
      ++i;
      continue;
    }
    std::size_t extra = c >= 0xf0 && c < 0xf5 ? 3 : c >= 0xe0 && c < 0xf0 ? 2 : c >= 0xc2 && c < 0xe0 ? 1 : 0;
    if (extra == 0 || i + extra >= s.size()) return false;
    for (std::size_t k = 1; k <= extra; ++k) {
      if ((static_cast<unsigned char>(s[i + k]) & 0xc0) != 0x80) return false;
    }
    i += extra + 1;
  }
  return true;
}

// The words of the stack from sp up to LIMIT (or kScanBytes), page by page until unreadable.
std::vector<std::uint64_t> stack_words(const MemorySource& memory, std::uint64_t sp, std::uint64_t limit) {
  std::size_t want = static_cast<std::size_t>(std::min<std::uint64_t>(kScanBytes, limit > sp ? limit - sp : kScanBytes));
  std::vector<std::byte> bytes(want);
  std::size_t have = 0;
  while (have < want) {
    std::uint64_t at = sp + have;
    std::size_t chunk = std::min<std::size_t>(4096 - (at & 4095), want - have);
    if (!memory.read(at, std::span<std::byte>(bytes.data() + have, chunk))) break;
    have += chunk;
  }
  std::vector<std::uint64_t> words(have / 8);
  for (std::size_t i = 0; i < words.size(); ++i) std::memcpy(&words[i], bytes.data() + 8 * i, 8);
  return words;
}

// ---- Rust --------------------------------------------------------------------------------------

bool is_panic_machinery(const std::string& function) {
  std::string n = function_base_name(rust_readable(function));
  return n.starts_with("std::panicking::") || n.starts_with("core::panicking::") || n == "rust_begin_unwind" ||
         n == "__rustc::rust_begin_unwind";
}

enum class PayloadKind { none, static_str, formatted, generic };

PayloadKind payload_kind(const std::string& names) {
  // Both manglings: legacy demangled ("begin_panic_handler::PanicPayload") and raw v0
  // ("19FormatStringPayload"); the impl type is what the vtable belongs to.
  if (contains(names, "FormatStringPayload") || contains(names, "begin_panic_handler::PanicPayload") ||
      contains(names, "begin_panic_handler12PanicPayload")) {
    return PayloadKind::formatted;
  }
  if (contains(names, "StaticStrPayload") || contains(names, "StrPanicPayload")) return PayloadKind::static_str;
  if (contains(names, "begin_panic::Payload") || contains(names, "begin_panic::PanicPayload") ||
      contains(names, "begin_panic7Payload") || contains(names, "begin_panic12PanicPayload")) {
    return PayloadKind::generic;
  }
  return PayloadKind::none;
}

std::optional<std::string> str_at(const MemorySource& memory, std::uint64_t ptr, std::uint64_t len) {
  if (len == 0 || len > kMaxMessage || ptr < kNullPageLimit) return std::nullopt;
  auto s = read_string(memory, ptr, len, kMaxMessage);
  if (!s || !is_text(*s)) return std::nullopt;
  return s;
}

// A &str: (pointer, length), the layout Rust gives every slice reference.
std::optional<std::string> read_str(const MemorySource& memory, std::uint64_t at) {
  auto ptr = read_u64(memory, at);
  auto len = read_u64(memory, at + 8);
  if (!ptr || !len) return std::nullopt;
  return str_at(memory, *ptr, *len);
}

// A String somewhere in the WORDS: its pointer, capacity and length in an order Rust does not fix.
std::optional<std::string> read_string_fields(const MemorySource& memory, const std::array<std::uint64_t, 4>& w) {
  for (std::size_t p = 0; p < w.size(); ++p) {
    for (std::size_t l = 0; l < w.size(); ++l) {
      if (l == p || w[l] == 0 || w[l] > kMaxMessage) continue;
      bool capacity = false;
      for (std::size_t c = 0; c < w.size(); ++c) capacity |= c != p && c != l && w[c] >= w[l] && w[c] <= (1ull << 32);
      if (!capacity) continue;
      if (auto s = str_at(memory, w[p], w[l])) return s;
    }
  }
  return std::nullopt;
}

// ---- Qt ------------------------------------------------------------------------------------------

// How many arguments QMessageLogger::fatal takes before its "...", `this` included:
// "QMessageLogger::fatal(char const*, ...) const" has 2.
std::optional<int> fixed_arguments(const std::string& function) {
  auto open = function.find('(');
  auto dots = function.find("...");
  if (open == std::string::npos || dots == std::string::npos || dots < open) return std::nullopt;
  int commas = 0, depth = 0;
  for (std::size_t i = open + 1; i < dots; ++i) {
    char c = function[i];
    if (c == '<' || c == '(') ++depth;
    else if (c == '>' || c == ')') --depth;
    else if (c == ',' && depth == 0) ++commas;
  }
  return 1 + commas;  // `this`, then one argument per comma before the "..."
}

// System V x86_64 argument registers, in order.
constexpr std::array<std::string_view, 6> kArgRegisters{"rdi", "rsi", "rdx", "rcx", "r8", "r9"};

// The constant address in REG just before the call that returns to RET, read from the caller's
// code between START and RET: "lea rsi, [rip + fmt]", possibly through other registers.
std::optional<std::uint64_t> constant_before_call(const MemorySource& memory, const Disassembler& dis,
                                                  std::uint64_t start, std::uint64_t ret, std::string reg) {
  if (ret <= start || ret - start > kMaxFunctionBytes) return std::nullopt;
  std::vector<std::byte> bytes(ret - start);
  if (!memory.read(start, bytes)) return std::nullopt;
  std::vector<DecodedInstruction> code;
  std::vector<std::uint64_t> targets;
  for (std::uint64_t at = start; at < ret;) {
    auto insn = dis.decode(std::span<const std::byte>(bytes).subspan(at - start), at);
    if (!insn || insn->length == 0) return std::nullopt;
    if (insn->branch_target) targets.push_back(*insn->branch_target);
    at += insn->length;
    code.push_back(std::move(*insn));
  }
  if (code.empty() || !code.back().is_call || code.back().address + code.back().length != ret) return std::nullopt;
  std::size_t index = code.size() - 1;
  for (int step = 0; step < 8; ++step) {
    std::optional<std::size_t> writer;
    for (std::size_t k = index; k-- > 0;) {
      if (clobbers(code[k], reg)) {
        writer = k;
        break;
      }
    }
    if (!writer) return std::nullopt;
    for (auto t : targets) {
      if (t > code[*writer].address && t <= code[index].address) return std::nullopt;  // another way in
    }
    const DecodedInstruction& w = code[*writer];
    if (w.is_call || w.dest_register != reg) return std::nullopt;
    bool full = w.dest_written == w.dest_register;
    if (w.is_lea && full && w.address_operand && w.address_operand->pc_relative && w.address_operand->index.empty()) {
      return w.address + w.length + static_cast<std::uint64_t>(w.address_operand->displacement);
    }
    if (w.is_move && w.immediate && (full || w.dest_written.starts_with('e') || w.dest_written.ends_with('d'))) {
      return static_cast<std::uint64_t>(*w.immediate) & (full ? ~0ull : 0xffffffffull);  // 32-bit moves zero-extend
    }
    if (w.is_move && full && !w.source_register.empty()) {
      reg = w.source_register;
      index = *writer;
      continue;
    }
    if (w.is_move && full && w.memory.size() == 1 && w.memory[0].pc_relative && w.memory[0].size == 8) {
      return read_u64(memory, w.address + w.length + static_cast<std::uint64_t>(w.memory[0].displacement));
    }
    return std::nullopt;
  }
  return std::nullopt;
}

// The x86-64 psABI's va_list (§3.5.7): the register save area holds the six integer argument
// registers (kArgRegisters; gp_offset 0..48, 8 bytes each), then the eight vector ones (fp_offset 48..176, 16
// bytes each); past those, va_arg takes the next 8 bytes of the overflow area on the stack.
constexpr auto kGpSaveAreaEnd = static_cast<std::uint32_t>(kArgRegisters.size() * 8);
constexpr std::uint32_t kFpSaveAreaEnd = kGpSaveAreaEnd + 8 * 16;
// How far above the CFA a va_list's overflow_arg_area may point and still be fatal()'s.
constexpr std::uint64_t kMaxOverflowDistance = 4096;

// The variadic arguments as va_arg would take them: from the register save area first, then
// from the stack (overflow area), both classes sharing the latter in order.
struct VarArgs {
  const MemorySource& memory;
  std::uint64_t save_area, overflow;
  std::uint32_t gp_offset, fp_offset;
  std::optional<std::uint64_t> gp() {
    std::uint64_t at = gp_offset < kGpSaveAreaEnd ? save_area + gp_offset : overflow;
    if (gp_offset < kGpSaveAreaEnd) gp_offset += 8;
    else overflow += 8;
    return read_u64(memory, at);
  }
  std::optional<double> fp() {
    std::uint64_t at = fp_offset < kFpSaveAreaEnd ? save_area + fp_offset : overflow;
    if (fp_offset < kFpSaveAreaEnd) fp_offset += 16;
    else overflow += 8;
    auto bits = read_u64(memory, at);
    if (!bits) return std::nullopt;
    double d = 0;
    std::memcpy(&d, &*bits, 8);
    return d;
  }
};

// printf, for the conversions QString::vasprintf knows, with the text of %s read from memory.
// The format given to snprintf is rebuilt from what was parsed, never the target's string.
std::optional<std::string> format_printf(const MemorySource& memory, const std::string& fmt, VarArgs& args) {
  std::string out;
  for (std::size_t i = 0; i < fmt.size() && out.size() < kMaxMessage;) {
    if (fmt[i] != '%') {
      out += fmt[i++];
      continue;
    }
    std::size_t j = i + 1;
    std::string spec = "%";
    while (j < fmt.size() && std::strchr("-+ #0", fmt[j]) != nullptr) spec += fmt[j++];
    auto number = [&](int& v) -> bool {
      if (j < fmt.size() && fmt[j] == '*') {
        ++j;
        auto a = args.gp();
        if (!a) return false;
        v = static_cast<int>(static_cast<std::int32_t>(*a));
        return true;
      }
      v = -1;
      while (j < fmt.size() && std::isdigit(static_cast<unsigned char>(fmt[j]))) v = std::max(v, 0) * 10 + (fmt[j++] - '0');
      return true;
    };
    int width = -1, precision = -1;
    if (!number(width)) return std::nullopt;
    if (j < fmt.size() && fmt[j] == '.') {
      ++j;
      if (!number(precision)) return std::nullopt;
      precision = std::max(precision, 0);
    }
    width = std::min(width, 256);
    precision = std::min(precision, 256);
    if (width >= 0) spec += std::to_string(width);
    if (precision >= 0) spec += "." + std::to_string(precision);
    std::string length;
    while (j < fmt.size() && std::strchr("hlLqjzt", fmt[j]) != nullptr) length += fmt[j++];
    if (j >= fmt.size()) return std::nullopt;
    char conv = fmt[j++];
    std::array<char, 600> buf{};
    int n = 0;
    bool wide = length == "l" || length == "ll" || length == "q" || length == "j" || length == "z" || length == "t";
    switch (conv) {
      case '%':
        out += '%';
        break;
      case 'd':
      case 'i': {
        auto a = args.gp();
        if (!a) return std::nullopt;
        long long v = wide ? static_cast<long long>(*a)
                      : length == "hh" ? static_cast<signed char>(*a)
                      : length == "h"  ? static_cast<short>(*a)
                                       : static_cast<int>(static_cast<std::int32_t>(*a));
        n = std::snprintf(buf.data(), buf.size(), (spec + "lld").c_str(), v);
        break;
      }
      case 'u':
      case 'x':
      case 'X':
      case 'o': {
        auto a = args.gp();
        if (!a) return std::nullopt;
        unsigned long long v = wide ? *a : length == "hh" ? (*a & 0xff) : length == "h" ? (*a & 0xffff) : (*a & 0xffffffff);
        n = std::snprintf(buf.data(), buf.size(), (spec + "ll" + conv).c_str(), v);
        break;
      }
      case 'c': {
        auto a = args.gp();
        if (!a) return std::nullopt;
        n = std::snprintf(buf.data(), buf.size(), (spec + "c").c_str(), static_cast<int>(*a & 0xff));
        break;
      }
      case 'p': {
        auto a = args.gp();
        if (!a) return std::nullopt;
        n = std::snprintf(buf.data(), buf.size(), "0x%llx", static_cast<unsigned long long>(*a));
        break;
      }
      case 's': {
        if (!length.empty()) return std::nullopt;  // %ls: wide strings, not read
        auto a = args.gp();
        if (!a) return std::nullopt;
        std::string text = *a == 0 ? "(null)" : read_cstring(memory, *a, 4096).value_or("<unreadable>");
        n = std::snprintf(buf.data(), buf.size(), (spec + "s").c_str(), text.substr(0, 512).c_str());
        break;
      }
      case 'f': case 'F': case 'e': case 'E': case 'g': case 'G': case 'a': case 'A': {
        if (length == "L") return std::nullopt;  // long double: on the stack, 16 bytes, not read
        auto d = args.fp();
        if (!d) return std::nullopt;
        n = std::snprintf(buf.data(), buf.size(), (spec + conv).c_str(), *d);
        break;
      }
      default:
        return std::nullopt;  // %n, %ls, %C ...: not formatted rather than formatted wrong
    }
    if (n > 0) out.append(buf.data(), std::min<std::size_t>(static_cast<std::size_t>(n), buf.size() - 1));
    i = j;
  }
  return out;
}

}  // namespace

bool is_rust_panic(const ThreadReport& crashed) {
  for (const auto& f : crashed.frames) {
    std::string n = function_base_name(rust_readable(f.function));
    if (n == "rust_panic" || n == "__rustc::rust_panic" || n == "__rust_start_panic" || n == "__rustc::__rust_start_panic" ||
        n == "rust_begin_unwind" || n == "__rustc::rust_begin_unwind" || n.starts_with("std::panicking::")) {
      return true;
    }
  }
  return false;
}

std::optional<FatalMessage> find_rust_panic_message(const ThreadReport& crashed, const MemorySource& memory,
                                                    const SymbolLookup& symbols) {
  auto sp = register_value(crashed.registers, "rsp");
  if (!sp) return std::nullopt;
  // The payload lives in std's panic frames: below the frame of the function that panicked.
  std::uint64_t limit = 0;
  for (std::size_t i = 0; i + 1 < crashed.frames.size(); ++i) {
    if (is_panic_machinery(crashed.frames[i].function) && !is_panic_machinery(crashed.frames[i + 1].function) &&
        crashed.frames[i + 1].sp) {
      limit = *crashed.frames[i + 1].sp;
    }
  }
  std::vector<std::uint64_t> words = stack_words(memory, *sp, limit);
  std::map<std::uint64_t, std::string> names;  // function address -> symbol ("" when none)
  auto name_of = [&](std::uint64_t fn) -> const std::string& {
    auto it = names.find(fn);
    if (it != names.end()) return it->second;
    std::string n = names.size() < kMaxSymbolLookups ? rust_readable(symbols.name_at(fn).value_or("")) : "";
    return names.emplace(fn, std::move(n)).first->second;
  };
  FatalMessage out;
  out.note = "no panic payload on the stack";
  for (std::size_t i = 1; i < words.size(); ++i) {
    std::uint64_t vtable = words[i], data = words[i - 1];
    if (vtable < kNullPageLimit || vtable % 8 != 0 || data < kNullPageLimit) continue;
    // A trait object's vtable: drop, size, align, then the methods.
    std::string methods;
    for (std::uint64_t slot = 3; slot < 6; ++slot) {
      auto fn = read_u64(memory, vtable + 8 * slot);
      if (!fn || *fn < kNullPageLimit) break;
      methods += name_of(*fn) + "\n";
    }
    PayloadKind kind = payload_kind(methods);
    if (kind == PayloadKind::none) continue;
    std::optional<std::string> text;
    if (kind == PayloadKind::static_str || kind == PayloadKind::generic) text = read_str(memory, data);
    if (!text && kind != PayloadKind::static_str) {
      std::array<std::uint64_t, 4> w{};
      bool ok = true;
      for (std::size_t k = 0; k < w.size() && ok; ++k) {
        auto v = read_u64(memory, data + 8 * k);
        ok = v.has_value();
        if (v) w[k] = *v;
      }
      if (ok) text = read_string_fields(memory, w);
    }
    if (text) {
      out.message = *text;
      out.note.clear();
      return out;
    }
    out.note = kind == PayloadKind::generic ? "the panic payload is not a string"
                                            : "the panic payload holds no formatted message";
  }
  return out;
}

bool is_qt_fatal(const ThreadReport& crashed) {
  for (const auto& f : crashed.frames) {
    std::string n = function_base_name(f.function);
    if (n == "QMessageLogger::fatal" || n == "qt_message_fatal" || n == "qt_assert" || n == "qt_assert_x") return true;
  }
  return false;
}

std::optional<FatalMessage> find_qt_fatal_message(const ThreadReport& crashed, const MemorySource& memory,
                                                  const Disassembler& dis) {
  const auto& frames = crashed.frames;
  std::size_t i = 0;
  while (i < frames.size() && function_base_name(frames[i].function) != "QMessageLogger::fatal") ++i;
  FatalMessage out;
  if (i + 1 >= frames.size()) {
    out.note = "QMessageLogger::fatal is not on the stack";
    return out;
  }
  auto fixed = fixed_arguments(frames[i].function);
  if (!fixed || *fixed < 2 || *fixed > 5) {
    out.note = "the message was streamed (qFatal() << ...), not formatted from arguments";
    return out;
  }
  // The caller loaded the format string into the last fixed argument register before the call.
  std::size_t c = i + 1;
  while (c + 1 < frames.size() && frames[c].inlined && frames[c + 1].pc == frames[c].pc) ++c;
  const Frame& caller = frames[c];
  std::optional<std::uint64_t> fmt_addr;
  if (caller.lookup_pc >= caller.function_offset && !caller.function.empty()) {
    fmt_addr = constant_before_call(memory, dis, caller.lookup_pc - caller.function_offset, caller.pc,
                                    std::string(kArgRegisters[static_cast<std::size_t>(*fixed - 1)]));
  }
  auto fmt = fmt_addr ? read_cstring(memory, *fmt_addr, 4096) : std::nullopt;
  if (!fmt || !is_text(*fmt)) {
    out.note = "the format string could not be read from the code of " + caller.function;
    return out;
  }
  // The va_list in fatal's frame: gp_offset, fp_offset, overflow_arg_area (at or above the
  // frame's CFA, where the stack arguments start) and reg_save_area (inside the frame).
  if (!frames[i].sp || !frames[i + 1].sp) {
    out.note = "fatal()'s frame is unknown; the format was \"" + *fmt + "\"";
    return out;
  }
  std::uint64_t lo = *frames[i].sp, cfa = *frames[i + 1].sp;
  std::vector<std::uint64_t> words = stack_words(memory, lo, cfa);
  for (std::size_t k = 0; k + 2 < words.size(); ++k) {
    auto gp = static_cast<std::uint32_t>(words[k]), fp = static_cast<std::uint32_t>(words[k] >> 32);
    std::uint64_t overflow = words[k + 1], save = words[k + 2];
    if (gp % 8 != 0 || gp > kGpSaveAreaEnd || fp < kGpSaveAreaEnd || fp > kFpSaveAreaEnd || fp % 16 != 0) continue;
    if (overflow < cfa || overflow > cfa + kMaxOverflowDistance || save < lo || save >= cfa) continue;
    // Start again from the first variadic argument: vasprintf has consumed this va_list.
    VarArgs args{memory, save, cfa, static_cast<std::uint32_t>(8 * *fixed), kGpSaveAreaEnd};
    if (auto text = format_printf(memory, *fmt, args)) {
      out.message = *text;
      return out;
    }
  }
  out.note = "the arguments of \"" + *fmt + "\" were not found";
  return out;
}

}  // namespace corelens
