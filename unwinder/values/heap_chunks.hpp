// How many bytes the heap allocation that starts at an address holds, read from glibc malloc's
// chunk header in the dump: what lets "p[3]" name an element through a pointer p only where p
// points to at least four of them. A header is believed only when it is consistent (aligned,
// bounded sizes, flags that fit, a next chunk that says this one is in use): an address that is
// not the start of a live allocation gets nullopt, never a guess.
#pragma once

#include <cstdint>
#include <optional>

#include "unwinder/values/value.hpp"

namespace corelens::values {

// The usable size of the live malloc allocation whose user pointer is ADDRESS, for a process
// whose size_t is WORD bytes (8 or 4) and byte order ORDER; nullopt when no consistent chunk
// header says so.
std::optional<std::uint64_t> malloc_usable_size(const ValueMemory& memory, std::uint64_t address, std::size_t word,
                                                std::endian order);

}  // namespace corelens::values
