// The cores this machine's kernel writes: where core_pattern lets it write them into the crashing
// process's working directory, and how to find them there (by content, whatever the pattern
// names them). Shared by the tests that compare something with a real kernel core.
#pragma once

#include <string>
#include <vector>

namespace corelens::testing {

// Why the kernel writes no core file into a process's working directory here ("" when it can): a
// core_pattern that pipes to a helper (systemd-coredump, apport), an absolute or nested path, one
// that cannot be read, or a hard core size limit the process cannot raise to unlimited. The same
// rules as samples/make-cores.sh.
std::string kernel_core_problem();

// The ELF files of type ET_CORE directly in DIR, sorted: what a plain file name core_pattern
// ("core", "core.%p", "%e.core" ...) made there.
std::vector<std::string> elf_core_files(const std::string& dir);

}  // namespace corelens::testing
