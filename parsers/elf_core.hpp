// The ELF core parser: user-process cores as the Linux kernel and gdb's gcore write them.
//
// Only a file that is not a core at all is an error. A damaged or truncated core still yields
// every thread, note and segment that could be read, with diagnostics saying what is missing.
#pragma once

#include <memory>

#include "core/file/mapped_file.hpp"
#include "core/model/error.hpp"
#include "core/model/process.hpp"

namespace corelens {

struct ElfCoreLimits {
  // Caps on what a file may claim (the file size bounds them too; these bound the work).
  std::uint64_t max_program_headers = 1u << 20;
  std::uint64_t max_notes = 1u << 20;
  std::uint64_t max_threads = 1u << 17;
};

Result<ProcessDump> parse_elf_core(std::shared_ptr<const MappedFile> file,
                                   const ElfCoreLimits& limits = {});

}  // namespace corelens
