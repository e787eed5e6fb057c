#include "parsers/kernel/btf.hpp"

#include <algorithm>
#include <cstring>

#include "core/model/strings.hpp"

namespace corelens {
namespace {

constexpr std::uint16_t kMagic = 0xeb9f;
constexpr std::size_t kHeaderSize = 24;
constexpr std::size_t kTypeSize = 12;

enum Kind : std::uint8_t {
  kInt = 1, kPtr = 2, kArray = 3, kStruct = 4, kUnion = 5, kEnum = 6, kFwd = 7, kTypedef = 8, kVolatile = 9,
  kConst = 10, kRestrict = 11, kFunc = 12, kFuncProto = 13, kVar = 14, kDatasec = 15, kFloat = 16, kDeclTag = 17,
  kTypeTag = 18, kEnum64 = 19,
};

std::uint32_t le32(std::span<const std::byte> b, std::size_t at) {
  return std::to_integer<std::uint32_t>(b[at]) | std::to_integer<std::uint32_t>(b[at + 1]) << 8 |
         std::to_integer<std::uint32_t>(b[at + 2]) << 16 | std::to_integer<std::uint32_t>(b[at + 3]) << 24;
}

// Bytes that follow a btf_type of KIND with VLEN entries; nullopt for a kind we do not know
// (then the type section cannot be walked past it).
std::optional<std::uint64_t> extra_size(std::uint8_t kind, std::uint16_t vlen) {
  switch (kind) {
    case kInt: case kVar: case kDeclTag: return 4;
    case kPtr: case kFwd: case kTypedef: case kVolatile: case kConst: case kRestrict: case kFunc: case kFloat:
    case kTypeTag: return 0;
    case kArray: return 12;
    case kStruct: case kUnion: case kDatasec: case kEnum64: return 12ull * vlen;
    case kEnum: case kFuncProto: return 8ull * vlen;
    default: return std::nullopt;
  }
}

}  // namespace

Result<KernelBtf> KernelBtf::parse(std::vector<std::byte> bytes, const BtfLimits& limits) {
  KernelBtf btf;
  btf.max_depth_ = limits.max_depth;
  if (bytes.size() > limits.max_bytes) {
    return fail(ErrorCode::malformed, "BTF of " + std::to_string(bytes.size()) + " bytes (at most " +
                                          std::to_string(limits.max_bytes) + " believed)");
  }
  std::span<const std::byte> b(bytes);
  if (b.size() < kHeaderSize) return fail(ErrorCode::truncated, "BTF header is cut off: " + std::to_string(b.size()) + " bytes");
  auto magic = static_cast<std::uint16_t>(std::to_integer<unsigned>(b[0]) | std::to_integer<unsigned>(b[1]) << 8);
  if (magic != kMagic) return fail(ErrorCode::malformed, "no BTF magic (0xeb9f) but " + hex(magic), 0);
  std::uint32_t hdr_len = le32(b, 4);
  std::uint64_t type_off = le32(b, 8), type_len = le32(b, 12), str_off = le32(b, 16), str_len = le32(b, 20);
  if (hdr_len < kHeaderSize || hdr_len > b.size()) return fail(ErrorCode::malformed, "BTF hdr_len " + std::to_string(hdr_len), 4);
  std::uint64_t body = b.size() - hdr_len;
  if (type_off > body || type_len > body - type_off || str_off > body || str_len > body - str_off) {
    return fail(ErrorCode::truncated, "BTF sections past the end: types " + std::to_string(type_off) + "+" +
                                          std::to_string(type_len) + ", strings " + std::to_string(str_off) + "+" +
                                          std::to_string(str_len) + " of " + std::to_string(body) + " bytes");
  }
  btf.types_at_ = hdr_len + type_off;
  btf.types_len_ = type_len;
  btf.strings_at_ = hdr_len + str_off;
  btf.strings_len_ = str_len;
  btf.bytes_ = std::move(bytes);
  std::span<const std::byte> t = std::span<const std::byte>(btf.bytes_).subspan(btf.types_at_, btf.types_len_);
  for (std::uint64_t at = 0; at < t.size();) {
    if (btf.types_.size() >= limits.max_types) {
      return fail(ErrorCode::malformed, "more than " + std::to_string(limits.max_types) + " BTF types");
    }
    if (t.size() - at < kTypeSize) return fail(ErrorCode::truncated, "BTF type " + std::to_string(btf.types_.size() + 1) + " is cut off");
    Type ty;
    ty.at = static_cast<std::uint32_t>(at);
    ty.name_off = le32(t, at);
    std::uint32_t info = le32(t, at + 4);
    ty.vlen = static_cast<std::uint16_t>(info & 0xffff);
    ty.kind = static_cast<std::uint8_t>((info >> 24) & 0x1f);
    ty.kind_flag = (info >> 31) != 0;
    ty.size_or_type = le32(t, at + 8);
    auto extra = extra_size(ty.kind, ty.vlen);
    if (!extra) {
      return fail(ErrorCode::unsupported, "BTF type " + std::to_string(btf.types_.size() + 1) + " has unknown kind " +
                                              std::to_string(ty.kind));
    }
    if (t.size() - at - kTypeSize < *extra) {
      return fail(ErrorCode::truncated, "BTF type " + std::to_string(btf.types_.size() + 1) + " is cut off");
    }
    at += kTypeSize + *extra;
    btf.types_.push_back(ty);
  }
  for (std::uint32_t id = 1; id <= btf.types_.size(); ++id) {
    const Type& ty = btf.types_[id - 1];
    if ((ty.kind == kStruct || ty.kind == kUnion) && ty.name_off != 0) {
      btf.structs_.emplace(btf.name(ty.name_off), id);
    }
    // pahole describes the per-cpu variables (and no other) as a DATASEC of VARs at their offsets.
    if (ty.kind == kDatasec && btf.name(ty.name_off) == ".data..percpu") {
      for (std::uint16_t i = 0; i < ty.vlen; ++i) {
        std::size_t at = ty.at + kTypeSize + 12ull * i;
        const Type* var = btf.type(btf.u32(at));
        if (var != nullptr && var->kind == kVar) btf.percpu_.emplace(btf.name(var->name_off), btf.u32(at + 4));
      }
    }
  }
  return btf;
}

std::optional<std::uint64_t> KernelBtf::percpu_offset(std::string_view var) const {
  auto it = percpu_.find(var);
  if (it == percpu_.end()) return std::nullopt;
  return it->second;
}

std::string_view KernelBtf::name(std::uint32_t off) const {
  if (off >= strings_len_) return {};
  const char* s = reinterpret_cast<const char*>(bytes_.data() + strings_at_ + off);
  std::size_t n = 0;
  while (off + n < strings_len_ && s[n] != '\0') ++n;
  return {s, n};
}

std::uint32_t KernelBtf::u32(std::size_t at) const {
  return le32(std::span<const std::byte>(bytes_).subspan(types_at_, types_len_), at);
}

const KernelBtf::Type* KernelBtf::type(std::uint32_t id) const {
  if (id == 0 || id > types_.size()) return nullptr;
  return &types_[id - 1];
}

std::uint32_t KernelBtf::resolve(std::uint32_t id) const {
  for (std::size_t i = 0; i < max_depth_ * 4; ++i) {
    const Type* t = type(id);
    if (!t) return 0;
    if (t->kind != kTypedef && t->kind != kVolatile && t->kind != kConst && t->kind != kRestrict && t->kind != kTypeTag) {
      return id;
    }
    id = t->size_or_type;
  }
  return 0;  // a qualifier loop: a damaged BTF
}

std::optional<std::uint32_t> KernelBtf::find_struct(std::string_view n) const {
  auto [first, last] = structs_.equal_range(n);
  std::optional<std::uint32_t> best;
  for (auto it = first; it != last; ++it) {
    const Type* t = type(it->second);
    if (t && t->vlen > 0 && (!best || it->second < *best)) best = it->second;
  }
  return best;
}

std::optional<KernelBtf::Member> KernelBtf::find_member(std::uint32_t struct_id, std::string_view n,
                                                        std::size_t depth) const {
  if (depth > max_depth_) return std::nullopt;
  const Type* s = type(resolve(struct_id));
  if (!s || (s->kind != kStruct && s->kind != kUnion)) return std::nullopt;
  for (std::uint16_t i = 0; i < s->vlen; ++i) {
    std::size_t at = s->at + kTypeSize + 12ull * i;
    std::uint32_t name_off = u32(at), member_type = u32(at + 4), offset = u32(at + 8);
    std::uint64_t bits = s->kind_flag ? (offset & 0xffffff) : offset;
    std::uint32_t bitfield = s->kind_flag ? offset >> 24 : 0;
    if (name_off == 0) {  // an anonymous struct or union: its members are the outer one's
      if (auto inner = find_member(member_type, n, depth + 1); inner && bits % 8 == 0) {
        inner->offset += bits / 8;
        return inner;
      }
      continue;
    }
    if (name(name_off) != n) continue;
    if (bitfield != 0 || bits % 8 != 0) return std::nullopt;
    return Member{bits / 8, member_type};
  }
  return std::nullopt;
}

std::optional<KernelBtf::Member> KernelBtf::member(std::uint32_t struct_id, std::string_view path) const {
  Member m{0, struct_id};
  while (!path.empty()) {
    std::size_t dot = path.find('.');
    std::string_view part = path.substr(0, dot);
    auto next = find_member(m.type, part, 0);
    if (!next) return std::nullopt;
    m.offset += next->offset;
    m.type = next->type;
    path = dot == std::string_view::npos ? std::string_view{} : path.substr(dot + 1);
  }
  return m;
}

std::optional<std::uint64_t> KernelBtf::offset_of(std::string_view struct_name, std::string_view path) const {
  auto s = find_struct(struct_name);
  if (!s) return std::nullopt;
  auto m = member(*s, path);
  if (!m) return std::nullopt;
  return m->offset;
}

std::optional<std::uint64_t> KernelBtf::size_of(std::uint32_t id) const { return size_of(id, 0); }

std::optional<std::uint64_t> KernelBtf::size_of(std::uint32_t id, std::size_t depth) const {
  if (depth > max_depth_) return std::nullopt;  // an array of itself
  const Type* t = type(resolve(id));
  if (!t) return std::nullopt;
  switch (t->kind) {
    case kInt: case kStruct: case kUnion: case kEnum: case kEnum64: case kFloat: return t->size_or_type;
    case kPtr: return 8;
    case kArray: {
      auto a = array(id);
      if (!a) return std::nullopt;
      auto e = size_of(a->element, depth + 1);
      if (!e || (*e != 0 && a->count > (1ull << 40) / *e)) return std::nullopt;
      return *e * a->count;
    }
    default: return std::nullopt;
  }
}

std::optional<KernelBtf::Array> KernelBtf::array(std::uint32_t id) const {
  const Type* t = type(resolve(id));
  if (!t || t->kind != kArray) return std::nullopt;
  return Array{u32(t->at + kTypeSize), u32(t->at + kTypeSize + 8)};
}

namespace {

// The .BTF section in the kernel image from START: the first header that says "BTF version 1,
// 24-byte header, types from offset 0, strings right after them" and parses.
std::optional<std::pair<std::uint64_t, std::uint64_t>> search_btf(const KernelMemory& memory, std::uint64_t start,
                                                                  const BtfLimits& limits) {
  constexpr std::uint64_t kChunk = 1u << 20;
  constexpr std::uint64_t kSearch = 128ull << 20;
  static constexpr unsigned char kHeader[] = {0x9f, 0xeb, 1, 0, kHeaderSize, 0, 0, 0, 0, 0, 0, 0};
  std::vector<std::byte> buf(kChunk + kHeaderSize);
  for (std::uint64_t at = start & ~std::uint64_t{3}; at < start + kSearch; at += kChunk) {
    if (!memory.read(at, buf)) {
      for (std::uint64_t p = 0; p < buf.size(); p += 4096) {
        std::span<std::byte> page(buf.data() + p, std::min<std::size_t>(4096, buf.size() - p));
        if (!memory.read(at + p, page)) std::fill(page.begin(), page.end(), std::byte{0});
      }
    }
    for (std::size_t i = 0; i + kHeaderSize <= buf.size(); i += 4) {
      if (std::memcmp(buf.data() + i, kHeader, sizeof kHeader) != 0) continue;
      std::uint64_t type_len = le32(buf, i + 12), str_off = le32(buf, i + 16), str_len = le32(buf, i + 20);
      std::uint64_t size = kHeaderSize + str_off + str_len;
      if (str_off != type_len || type_len == 0 || str_len == 0 || size > limits.max_bytes) continue;
      return std::pair{at + i, at + i + size};
    }
  }
  return std::nullopt;
}

}  // namespace

std::optional<KernelBtf> read_kernel_btf(const KernelMemory& memory, const KernelSymbols& symbols, Diagnostics& diags,
                                         const BtfLimits& limits) {
  auto start = symbols.address_of("__start_BTF");
  auto stop = symbols.address_of("__stop_BTF");
  if ((!start || !stop) && symbols.address_of("_stext")) {
    // kallsyms without KALLSYMS_ALL names functions only: find the section by its header.
    if (auto found = search_btf(memory, *symbols.address_of("_stext"), limits)) {
      start = found->first;
      stop = found->second;
      diags.info("btf-found", "the dump's kallsyms names no __start_BTF (a kernel without KALLSYMS_ALL): the kernel's "
                              "BTF found by its header at " + hex(*start));
    }
  }
  if (!start || !stop) {
    diags.info("btf-missing", "the dump has no BTF (no __start_BTF in kallsyms, no BTF header in the kernel image: a "
                              "kernel without DEBUG_INFO_BTF): modules, tasks and per-cpu stacks are not read");
    return std::nullopt;
  }
  if (*stop <= *start || *stop - *start > limits.max_bytes) {
    diags.warn("btf-bad", "the kernel's BTF at " + hex(*start) + ".." + hex(*stop) + " has an unbelievable size");
    return std::nullopt;
  }
  std::vector<std::byte> bytes(*stop - *start);
  if (auto r = memory.read(*start, bytes); !r) {
    diags.warn("btf-unreadable", "the kernel's BTF at " + hex(*start) + " cannot be read: " + r.error().message);
    return std::nullopt;
  }
  auto btf = KernelBtf::parse(std::move(bytes), limits);
  if (!btf) {
    diags.warn("btf-bad", "the kernel's BTF at " + hex(*start) + " does not parse: " + btf.error().message);
    return std::nullopt;
  }
  return std::move(*btf);
}

}  // namespace corelens
