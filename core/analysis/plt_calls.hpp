// Which imported function a frame called: the call instruction before a frame's return address,
// when it goes through the caller's own PLT entry (`call __stack_chk_fail@plt`) or GOT slot
// (`call [rip + slot]`, -fno-plt), names the import by the caller's dynamic relocations. This
// needs only the caller's module (usually the executable, which the user has); the library
// called into (libc) may be absent or unsymbolised, as on a core from another distribution.
//
// Every byte comes through the MemorySource (the core, or the module's file where the core saved
// none) and is hostile: counts are capped, every read is checked, a failure is "no name".
//
// Supported: x86_64 and i386 (the PLT shapes of GNU ld: lazy, -z now, IBT's .plt.sec, i386 PIC
// through ebx). Other architectures answer nullopt; their runtime checks are then recognised by
// the frames' names only.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/analysis/disassembler.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"

namespace corelens {

struct ImportCall {
  std::string name;             // the symbol the relocation names: "__stack_chk_fail", "free"
  std::uint64_t call_site = 0;  // address of the call instruction
  std::uint64_t slot = 0;       // the GOT slot the PLT entry jumps through
};

// The import called by the call instruction that ends at RETURN_ADDRESS, or nullopt.
std::optional<ImportCall> import_called_before(const MemorySource& memory, const ProcessDump& dump,
                                              const Disassembler& dis, std::uint64_t return_address);

// The call instruction that ends exactly at RETURN_ADDRESS (x86's instructions have no fixed
// length: every length a call can have is tried), or nullopt when none decodes there.
std::optional<DecodedInstruction> call_before(const MemorySource& memory, const Disassembler& dis,
                                              std::uint64_t return_address);

}  // namespace corelens
