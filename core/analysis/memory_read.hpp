// Reading values out of the crashed process's memory for the analysis: little-endian words and
// bounded strings. Every address here came from the dump and may point anywhere, so each read
// is checked and every string has a cap.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

#include "core/model/arch.hpp"
#include "core/model/memory_source.hpp"

namespace corelens {

// Little-endian: the layouts read with these (Qt and Rust values, x86_64 page tables) are those
// of the 64-bit little-endian targets. C++ exceptions are read in each process's own ABI
// (cxx_exception.cpp, with read_pointer and the dump's byte order).
std::optional<std::uint64_t> read_u64(const MemorySource& memory, std::uint64_t addr);
std::optional<std::uint32_t> read_u32(const MemorySource& memory, std::uint64_t addr);

// A pointer or an unsigned int of the dumped process: its size and byte order are ARCH's.
std::optional<std::uint64_t> read_pointer(const MemorySource& memory, std::uint64_t addr, Arch arch);
std::optional<std::uint32_t> read_uint(const MemorySource& memory, std::uint64_t addr, Arch arch);

// A NUL-terminated string of at most MAX bytes; what could be read when it runs into unreadable
// memory or MAX first (nullopt only when not even one byte could be read).
std::optional<std::string> read_cstring(const MemorySource& memory, std::uint64_t addr, std::size_t max);

// Exactly SIZE bytes (at most MAX) as a string, or nullopt.
std::optional<std::string> read_string(const MemorySource& memory, std::uint64_t addr, std::uint64_t size,
                                       std::size_t max);

}  // namespace corelens
