#include "parsers/kernel/kallsyms_search.hpp"

#include <algorithm>
#include <array>
#include <cstring>
#include <vector>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr std::uint64_t kChunk = 1u << 20;
constexpr std::size_t kTokens = 256;
constexpr std::size_t kMaxToken = 64;     // scripts/kallsyms.c's tokens are a few bytes long
constexpr unsigned kFirstDigit = '0';     // token_table's entry for byte '0' is "0"
// The longest a compressed name can be: a length byte (< 0x80 before 6.1's two-byte lengths) and
// that many token bytes.
constexpr std::uint64_t kMaxNameBytes = 128;

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) & ~(a - 1); }

std::uint32_t u32_at(const std::vector<std::byte>& b, std::size_t at) {
  std::uint32_t v = 0;
  std::memcpy(&v, b.data() + at, 4);
  return v;
}

// Reads [ADDR, ADDR + LEN) or fails.
bool read(const KernelMemory& m, std::uint64_t addr, std::size_t len, std::vector<std::byte>& out) {
  out.resize(len);
  return static_cast<bool>(m.read(addr, out));
}

// Where "0\0" ... "9\0" stand, in order of address.
std::vector<std::uint64_t> digit_runs(const KernelMemory& m, std::uint64_t start, std::uint64_t size) {
  static constexpr char kPattern[] = "0\0" "1\0" "2\0" "3\0" "4\0" "5\0" "6\0" "7\0" "8\0" "9";
  constexpr std::size_t kLen = sizeof kPattern;  // includes the last NUL
  std::vector<std::uint64_t> found;
  std::vector<std::byte> buf(kChunk + kLen);
  for (std::uint64_t at = start; at < start + size && found.size() < 16; at += kChunk) {
    std::size_t n = buf.size();
    if (!m.read(at, std::span(buf.data(), n))) {
      // A chunk with unreadable pages (past the image's end, a page the dump left out): search
      // what reads, page by page.
      n = 0;
      for (std::uint64_t p = 0; p < buf.size(); p += 4096) {
        std::size_t len = std::min<std::size_t>(4096, buf.size() - p);
        if (!m.read(at + p, std::span(buf.data() + p, len))) std::fill_n(buf.data() + p, len, std::byte{0xff});
      }
      n = buf.size();
    }
    const char* base = reinterpret_cast<const char*>(buf.data());
    for (const char* p = base; (p = static_cast<const char*>(std::memchr(p, '0', base + n - kLen - p))) != nullptr; ++p) {
      if (std::memcmp(p, kPattern, kLen) == 0 && (p == base || p[-1] == '\0')) found.push_back(at + (p - base));
      if (p + 1 >= base + n - kLen) break;
    }
  }
  return found;
}

struct TokenTable {
  std::uint64_t table = 0, index = 0;
};

// The token table around the "0" token at DIGITS, confirmed by its token_index.
std::optional<TokenTable> token_table_at(const KernelMemory& m, std::uint64_t digits) {
  constexpr std::uint64_t kBefore = kFirstDigit * kMaxToken;
  constexpr std::uint64_t kAfter = (kTokens - kFirstDigit) * kMaxToken + 16 + 2 * kTokens;
  std::uint64_t from = digits > kBefore ? digits - kBefore : 0;
  std::vector<std::byte> b;
  if (!read(m, from, kBefore + kAfter, b)) {
    // Near an unreadable page: the table itself is ~1 KiB, try a tighter window.
    from = digits - 2048;
    if (!read(m, from, 8192, b)) return std::nullopt;
  }
  auto byte = [&](std::uint64_t addr) { return std::to_integer<char>(b[addr - from]); };
  std::uint64_t end = from + b.size();
  // Back over the 48 tokens before "0": each ends with the NUL just before the next one.
  std::uint64_t pos = digits;
  for (unsigned k = 0; k < kFirstDigit; ++k) {
    if (pos < from + 2 || byte(pos - 1) != '\0' || byte(pos - 2) == '\0') return std::nullopt;
    std::uint64_t s = pos - 2;
    while (s > from && byte(s - 1) != '\0' && pos - s < kMaxToken) --s;
    if (s == from || byte(s - 1) != '\0') return std::nullopt;
    pos = s;
  }
  const std::uint64_t table = pos;
  std::array<std::uint16_t, kTokens> offsets{};
  std::uint64_t at = table;
  for (std::size_t i = 0; i < kTokens; ++i) {
    if (at - table > 0xffff) return std::nullopt;
    offsets[i] = static_cast<std::uint16_t>(at - table);
    std::uint64_t s = at;
    while (at < end && byte(at) != '\0' && at - s < kMaxToken) ++at;
    if (at >= end || byte(at) != '\0' || at == s) return std::nullopt;
    ++at;
  }
  for (std::uint64_t align : {2u, 4u, 8u}) {
    std::uint64_t index = align_up(at, align);
    if (index + 2 * kTokens > end) return std::nullopt;
    bool same = true;
    for (std::size_t i = 0; i < kTokens && same; ++i) {
      std::uint16_t v = static_cast<std::uint16_t>(std::to_integer<unsigned>(b[index - from + 2 * i]) |
                                                   std::to_integer<unsigned>(b[index - from + 2 * i + 1]) << 8);
      same = v == offsets[i];
    }
    if (same) return TokenTable{table, index};
  }
  return std::nullopt;
}

// kallsyms_markers, just before the token table: u32 offsets into names, starting at 0 and growing
// by at least two bytes per symbol. nullopt when the words there are no such array.
std::optional<std::vector<std::uint32_t>> markers_before(const KernelMemory& m, std::uint64_t table,
                                                         std::uint64_t& markers_at, std::uint32_t max_symbols) {
  const std::uint64_t max_bytes = 4ull * (max_symbols / 256 + 1);
  std::uint64_t from = table > max_bytes ? table - max_bytes : 0;
  from &= ~std::uint64_t{7};
  std::vector<std::byte> b;
  if (!read(m, from, table - from, b)) {
    from = table - 65536;
    if (!read(m, from, table - from, b)) return std::nullopt;
  }
  std::size_t i = b.size() / 4;
  while (i > 0 && u32_at(b, 4 * (i - 1)) == 0 && b.size() / 4 - i < 1) --i;  // alignment padding
  std::vector<std::uint32_t> out;
  std::uint32_t next = 0;
  while (i > 0) {
    std::uint32_t v = u32_at(b, 4 * (i - 1));
    if (!out.empty() && (v >= next || next - v < 2 * 256)) return std::nullopt;
    out.push_back(v);
    next = v;
    --i;
    if (v == 0) break;
  }
  if (out.size() < 2 || out.back() != 0) return std::nullopt;
  std::reverse(out.begin(), out.end());
  markers_at = from + 4 * i;
  return out;
}

// Walks COUNT compressed names from AT; the address after the last, or nullopt.
std::optional<std::uint64_t> skip_names(const std::vector<std::byte>& b, std::uint64_t base, std::uint64_t at,
                                        std::uint64_t count) {
  for (std::uint64_t k = 0; k < count; ++k) {
    if (at < base || at - base >= b.size()) return std::nullopt;
    unsigned len = std::to_integer<unsigned>(b[at - base]);
    if (len == 0 || len >= 0x80) return std::nullopt;
    at += 1 + len;
  }
  return at;
}

}  // namespace

std::optional<KallsymsTables> find_kallsyms_tables(const KernelMemory& m, std::uint64_t start, std::string& why,
                                                   const KallsymsSearchLimits& limits) {
  std::vector<std::uint64_t> runs = digit_runs(m, start, limits.max_image);
  if (runs.empty()) {
    why = "no kallsyms token table (\"0\\0\" .. \"9\\0\") in the " + std::to_string(limits.max_image >> 20) +
          " MiB of kernel image from " + hex(start);
    return std::nullopt;
  }
  why = "the token table candidates at";
  for (std::uint64_t digits : runs) {
    why += " " + hex(digits);
    auto tokens = token_table_at(m, digits);
    if (!tokens) continue;
    std::uint64_t markers_at = 0;
    auto markers = markers_before(m, tokens->table, markers_at, limits.max_symbols);
    if (!markers) continue;
    const std::uint64_t chunks = markers->size();
    const std::uint64_t last = markers->back();
    // names ends at markers_at (less up to 7 bytes of padding); its last 256-symbol chunk starts
    // LAST bytes after its start. kallsyms_num_syms is the u32 8 bytes before names.
    const std::uint64_t span = 256 * (1 + kMaxNameBytes) + 16;
    if (markers_at < last + span) continue;
    std::uint64_t lo = markers_at - last - span;
    std::vector<std::byte> tail;
    if (!read(m, lo, markers_at - lo, tail)) continue;
    std::vector<std::byte> head;
    for (std::uint64_t names = (markers_at - last - 1) & ~std::uint64_t{7}; names >= lo + 8; names -= 8) {
      std::uint32_t num = u32_at(tail, names - 8 - lo);
      if (num == 0 || num > limits.max_symbols || (num + 255) / 256 != chunks) continue;
      auto end = skip_names(tail, lo, names + last, num - 256 * (chunks - 1));
      if (!end || *end > markers_at || markers_at - *end > 7) continue;
      // The first chunk too: 256 names from the start land on markers[1].
      if (!read(m, names, (*markers)[1] + 1, head)) continue;
      auto first = skip_names(head, names, names, 256);
      if (!first || *first != names + (*markers)[1]) continue;
      KallsymsTables t;
      t.names = names;
      t.num_syms = names - 8;
      t.markers = markers_at;
      t.token_table = tokens->table;
      t.token_index = tokens->index;
      t.relative_base = t.num_syms - 8;
      t.offsets = t.relative_base - align_up(4ull * num, 8);
      why.clear();
      return t;
    }
  }
  why += " are not followed by a token index and preceded by markers and names as 5.x lays them out";
  return std::nullopt;
}

}  // namespace corelens
