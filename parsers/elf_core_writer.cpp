#include "parsers/elf_core_writer.hpp"

#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "parsers/arch_x86_64.hpp"
#include "parsers/core_notes.hpp"

namespace corelens::core_writer {
namespace {

constexpr std::uint64_t kEhdrSize = 64, kPhdrSize = 56, kShdrSize = 64;
constexpr std::uint64_t kPage = 4096;  // ELF_EXEC_PAGESIZE on x86_64
constexpr std::uint32_t kPtLoad = 1, kPtNote = 4;
constexpr std::uint16_t kPnXnum = 0xffff;
constexpr std::size_t kChunk = std::size_t{1} << 20;

// Little-endian field writers into a byte vector (never a struct cast).
class Bytes {
 public:
  explicit Bytes(std::size_t size) : data_(size) {}
  template <typename T>
  void put(std::size_t offset, T value) {
    static_assert(std::is_integral_v<T>);
    std::memcpy(data_.data() + offset, &value, sizeof value);  // x86_64 and the ELF file agree: LE
  }
  void put_bytes(std::size_t offset, const void* src, std::size_t size) {
    if (size == 0) return;
    std::memcpy(data_.data() + offset, src, size);
  }
  std::vector<std::byte>& vec() { return data_; }

 private:
  std::vector<std::byte> data_;
};

std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) & ~(a - 1); }

std::uint64_t note_size(const Note& n) {
  return 12 + align_up(n.name.size() + 1, 4) + align_up(n.desc.size(), 4);
}

// Writes with a size cap: everything past MAX is dropped and remembered as a truncation.
class Sink {
 public:
  Sink(int fd, std::uint64_t max) : fd_(fd), max_(max) {}

  Result<void> write(std::uint64_t offset, const std::byte* data, std::uint64_t size) {
    if (offset >= max_) {
      truncated_ = truncated_ || size != 0;
      return {};
    }
    if (size > max_ - offset) {
      size = max_ - offset;
      truncated_ = true;
    }
    std::uint64_t done = 0;
    while (done < size) {
      ssize_t w = ::pwrite(fd_, data + done, size - done, static_cast<off_t>(offset + done));
      if (w < 0 && errno == EINTR) continue;
      if (w <= 0) {
        return fail(ErrorCode::io, std::string("writing the core: ") + std::strerror(errno), offset + done);
      }
      done += static_cast<std::uint64_t>(w);
    }
    end_ = std::max(end_, offset + size);
    return {};
  }
  // A hole: the file just grows over it (ftruncate at the end).
  void skip(std::uint64_t offset, std::uint64_t size) {
    std::uint64_t e = offset + size;
    if (e > max_) {
      e = max_;
      truncated_ = true;
    }
    end_ = std::max(end_, e);
  }
  Result<void> finish() {
    if (::ftruncate(fd_, static_cast<off_t>(end_)) != 0) {
      return fail(ErrorCode::io, std::string("writing the core: ") + std::strerror(errno));
    }
    return {};
  }
  std::uint64_t end() const { return end_; }
  bool truncated() const { return truncated_; }
  bool full(std::uint64_t offset) const { return offset >= max_; }

 private:
  int fd_;
  std::uint64_t max_;
  std::uint64_t end_ = 0;
  bool truncated_ = false;
};

}  // namespace

Result<WriteResult> write_core(int fd, std::uint16_t machine, const std::vector<Note>& notes,
                               const std::vector<Segment>& segments, const MemoryReader& read,
                               std::uint64_t max_size) {
  // e_phnum holds at most 0xfffe entries; beyond, the kernel writes PN_XNUM and one section
  // header whose sh_info holds the real count (elf_core_dump's "extended numbering").
  std::uint64_t phnum = segments.size() + 1;
  bool xnum = phnum >= kPnXnum;
  std::uint64_t notes_offset = kEhdrSize + phnum * kPhdrSize;
  std::uint64_t notes_bytes = 0;
  for (const auto& n : notes) notes_bytes += note_size(n);
  std::uint64_t data_offset = align_up(notes_offset + notes_bytes, kPage);
  std::uint64_t offset = data_offset;
  std::uint64_t shoff = 0;
  for (const auto& s : segments) offset += s.filesz;
  if (xnum) shoff = offset;

  Bytes head(notes_offset);
  const unsigned char ident[16] = {0x7f, 'E', 'L', 'F', 2 /*ELFCLASS64*/, 1 /*LSB*/, 1 /*EV_CURRENT*/, 0 /*SYSV*/};
  head.put_bytes(0, ident, sizeof ident);
  head.put<std::uint16_t>(16, 4);  // ET_CORE
  head.put<std::uint16_t>(18, machine);
  head.put<std::uint32_t>(20, 1);  // e_version
  head.put<std::uint64_t>(32, kEhdrSize);
  head.put<std::uint64_t>(40, shoff);
  head.put<std::uint16_t>(52, static_cast<std::uint16_t>(kEhdrSize));
  head.put<std::uint16_t>(54, static_cast<std::uint16_t>(kPhdrSize));
  head.put<std::uint16_t>(56, xnum ? kPnXnum : static_cast<std::uint16_t>(phnum));
  head.put<std::uint16_t>(58, xnum ? static_cast<std::uint16_t>(kShdrSize) : 0);
  head.put<std::uint16_t>(60, xnum ? 1 : 0);

  // PT_NOTE: p_align 4 and every address field 0, as the kernel writes it.
  std::size_t ph = kEhdrSize;
  head.put<std::uint32_t>(ph, kPtNote);
  head.put<std::uint64_t>(ph + 8, notes_offset);
  head.put<std::uint64_t>(ph + 32, notes_bytes);
  head.put<std::uint64_t>(ph + 48, 4);
  std::uint64_t seg_offset = data_offset;
  for (const auto& s : segments) {
    ph += kPhdrSize;
    head.put<std::uint32_t>(ph, kPtLoad);
    head.put<std::uint32_t>(ph + 4, s.flags);
    head.put<std::uint64_t>(ph + 8, seg_offset);
    head.put<std::uint64_t>(ph + 16, s.vaddr);
    head.put<std::uint64_t>(ph + 32, s.filesz);
    head.put<std::uint64_t>(ph + 40, s.memsz);
    head.put<std::uint64_t>(ph + 48, kPage);
    seg_offset += s.filesz;
  }

  Sink sink(fd, max_size);
  if (auto r = sink.write(0, head.vec().data(), head.vec().size()); !r) return unexpected(r.error());

  Bytes note_bytes(notes_bytes);
  std::size_t pos = 0;
  for (const auto& n : notes) {
    note_bytes.put<std::uint32_t>(pos, static_cast<std::uint32_t>(n.name.size() + 1));
    note_bytes.put<std::uint32_t>(pos + 4, static_cast<std::uint32_t>(n.desc.size()));
    note_bytes.put<std::uint32_t>(pos + 8, n.type);
    note_bytes.put_bytes(pos + 12, n.name.data(), n.name.size());
    pos += 12 + align_up(n.name.size() + 1, 4);
    if (!n.desc.empty()) note_bytes.put_bytes(pos, n.desc.data(), n.desc.size());
    pos += align_up(n.desc.size(), 4);
  }
  if (auto r = sink.write(notes_offset, note_bytes.vec().data(), notes_bytes); !r) return unexpected(r.error());
  sink.skip(notes_offset + notes_bytes, data_offset - notes_offset - notes_bytes);

  WriteResult result;
  std::vector<std::byte> buffer(kChunk);
  offset = data_offset;
  for (const auto& s : segments) {
    for (std::uint64_t done = 0; done < s.filesz && !sink.full(offset + done);) {
      std::size_t n = static_cast<std::size_t>(std::min<std::uint64_t>(kChunk, s.filesz - done));
      std::fill(buffer.begin(), buffer.begin() + static_cast<std::ptrdiff_t>(n), std::byte{0});
      result.unreadable_bytes += std::min(read(s.vaddr + done, std::span(buffer.data(), n)), n);
      // Page by page: zeros (and pages that could not be read) stay holes.
      for (std::size_t p = 0; p < n; p += kPage) {
        std::size_t len = std::min<std::size_t>(kPage, n - p);
        const std::byte* b = buffer.data() + p;
        if (std::all_of(b, b + len, [](std::byte x) { return x == std::byte{0}; })) continue;
        if (auto r = sink.write(offset + done + p, b, len); !r) return unexpected(r.error());
        result.data_bytes += len;
      }
      done += n;
    }
    sink.skip(offset, s.filesz);
    offset += s.filesz;
  }
  if (xnum) {
    Bytes sh(kShdrSize);
    sh.put<std::uint32_t>(44, static_cast<std::uint32_t>(phnum));  // sh_info: the real e_phnum
    if (auto r = sink.write(shoff, sh.vec().data(), kShdrSize); !r) return unexpected(r.error());
  }
  if (auto r = sink.finish(); !r) return unexpected(r.error());
  result.size = sink.end();
  result.truncated = sink.truncated();
  return result;
}

std::vector<std::byte> encode_prstatus_x86_64(const PrStatus& st, std::span<const std::byte> user_regs) {
  Bytes b(x86_64::kPrStatusSize);
  b.put<std::int32_t>(0, st.signo);  // pr_info: si_signo, si_code (0), si_errno (0)
  b.put<std::int16_t>(12, st.cursig);
  b.put<std::uint64_t>(16, st.sigpend);
  b.put<std::uint64_t>(24, st.sighold);
  b.put<std::int32_t>(32, st.pid);
  b.put<std::int32_t>(36, st.ppid);
  b.put<std::int32_t>(40, st.pgrp);
  b.put<std::int32_t>(44, st.sid);
  const TimeVal* times[] = {&st.utime, &st.stime, &st.cutime, &st.cstime};
  for (std::size_t i = 0; i < 4; ++i) {
    b.put<std::int64_t>(48 + i * 16, times[i]->sec);
    b.put<std::int64_t>(56 + i * 16, times[i]->usec);
  }
  b.put_bytes(x86_64::kPrRegOffset, user_regs.data(), std::min<std::size_t>(user_regs.size(), x86_64::kUserRegsSize));
  b.put<std::int32_t>(x86_64::kPrFpvalidOffset, st.fpvalid);
  return std::move(b.vec());
}

std::vector<std::byte> encode_prpsinfo(const PrPsInfo& info) {
  Bytes b(notes::kPrPsInfoSize64);
  b.put<std::int8_t>(0, static_cast<std::int8_t>(info.state));
  b.put<std::int8_t>(1, static_cast<std::int8_t>(info.sname));
  b.put<std::int8_t>(2, info.sname == 'Z' ? 1 : 0);
  b.put<std::int8_t>(3, info.nice);
  b.put<std::uint64_t>(8, info.flag);
  b.put<std::uint32_t>(16, info.uid);
  b.put<std::uint32_t>(20, info.gid);
  b.put<std::int32_t>(24, info.pid);
  b.put<std::int32_t>(28, info.ppid);
  b.put<std::int32_t>(32, info.pgrp);
  b.put<std::int32_t>(36, info.sid);
  b.put_bytes(40, info.fname.data(), std::min<std::size_t>(info.fname.size(), 15));
  // fill_psinfo: at most ELF_PRARGSZ - 1 bytes of the argv block, NULs turned into spaces.
  std::string args = info.psargs.substr(0, 79);
  std::replace(args.begin(), args.end(), '\0', ' ');
  b.put_bytes(56, args.data(), args.size());
  return std::move(b.vec());
}

std::vector<std::byte> encode_file_note(const std::vector<FileMapping>& files, std::uint64_t page_size) {
  std::size_t names = 0;
  for (const auto& f : files) names += f.path.size() + 1;
  std::size_t table = 16 + files.size() * 24;
  Bytes b(table + names);
  b.put<std::uint64_t>(0, files.size());
  b.put<std::uint64_t>(8, page_size);
  std::size_t name_pos = table;
  for (std::size_t i = 0; i < files.size(); ++i) {
    b.put<std::uint64_t>(16 + i * 24, files[i].start);
    b.put<std::uint64_t>(24 + i * 24, files[i].end);
    b.put<std::uint64_t>(32 + i * 24, files[i].page_offset);
    b.put_bytes(name_pos, files[i].path.data(), files[i].path.size());
    name_pos += files[i].path.size() + 1;
  }
  return std::move(b.vec());
}

}  // namespace corelens::core_writer
