// The synthetic dumps of the golden-output tests: see make_golden_dumps.cpp for the list.
#pragma once

#include <filesystem>

namespace corelens::golden {

// Writes every dump and the sysroot of their modules' files into DIR (created if needed).
void write_all(const std::filesystem::path& dir);

}  // namespace corelens::golden
