// Fuzz target: each note decoder on arbitrary descriptor bytes. The first byte picks the decoder
// (low 3 bits), the word size (bit 3: 32-bit layouts) and the byte order (bit 4: big-endian, as
// on s390x); NT_PRSTATUS is decoded with the register layout of the architecture bits 5-7 pick.
// One corpus covers them all.
#include <cstddef>
#include <cstdint>

#include "core/file/byte_reader.hpp"
#include "parsers/arch_layout.hpp"
#include "parsers/arch_x86_64.hpp"
#include "parsers/core_notes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  const std::uint8_t pick = data[0];
  const unsigned word = (pick & 0x08) != 0 ? 4 : 8;
  const std::endian order = (pick & 0x10) != 0 ? std::endian::big : std::endian::little;
  corelens::ByteReader desc(std::span(reinterpret_cast<const std::byte*>(data + 1), size - 1), 1, order);
  corelens::Diagnostics diags;
  corelens::Thread thread;
  constexpr corelens::Arch kArches[] = {corelens::Arch::x86_64, corelens::Arch::aarch64, corelens::Arch::i386,
                                        corelens::Arch::arm,    corelens::Arch::ppc64le, corelens::Arch::s390x};
  switch (pick % 7) {
    case 0: (void)corelens::notes::decode_prpsinfo(desc, word); break;
    case 1: (void)corelens::notes::decode_siginfo(desc, word); break;
    case 2: (void)corelens::notes::decode_auxv(desc, diags, word); break;
    case 3: (void)corelens::notes::decode_file(desc, diags, word); break;
    case 4: {
      corelens::notes::decode_prstatus_header(desc, thread, word);
      const corelens::PrStatusLayout* layout = corelens::prstatus_layout(kArches[(pick >> 5) % 6]);
      if (layout != nullptr) corelens::decode_prstatus_registers(*layout, desc, thread);
      break;
    }
    case 5: corelens::x86_64::decode_fxsave(desc, thread); break;
    default: corelens::x86_64::decode_xsave(desc, thread); break;
  }
  return 0;
}
