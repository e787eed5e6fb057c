// Fuzz target: each note decoder on arbitrary descriptor bytes. The first byte picks the decoder,
// so one corpus covers them all.
#include <cstddef>
#include <cstdint>

#include "core/byte_reader.hpp"
#include "parsers/arch_x86_64.hpp"
#include "parsers/core_notes.hpp"

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  if (size == 0) return 0;
  corelens::ByteReader desc(std::span(reinterpret_cast<const std::byte*>(data + 1), size - 1), 1);
  corelens::Diagnostics diags;
  corelens::Thread thread;
  switch (data[0] % 7) {
    case 0: (void)corelens::notes::decode_prpsinfo(desc); break;
    case 1: (void)corelens::notes::decode_siginfo(desc); break;
    case 2: (void)corelens::notes::decode_auxv(desc, diags); break;
    case 3: (void)corelens::notes::decode_file(desc, diags); break;
    case 4:
      corelens::notes::decode_prstatus_header(desc, thread);
      corelens::x86_64::decode_user_regs(desc, thread);
      break;
    case 5: corelens::x86_64::decode_fxsave(desc, thread); break;
    default: corelens::x86_64::decode_xsave(desc, thread); break;
  }
  return 0;
}
