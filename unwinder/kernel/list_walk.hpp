// Walking a kernel `struct list_head` ring (include/linux/list.h) through a dump's memory: the
// loaded modules, the tasks, a process's threads. The ring comes from a dump that may be damaged
// or hostile, so the walk stops where a next pointer cannot be read, where a node comes round
// again without the ring closing at its head, and after a cap on the nodes.
//
// Ownership: reads through the MemorySource it is given, keeps nothing.
#pragma once

#include <cstdint>
#include <functional>
#include <string>

#include "core/model/memory_source.hpp"

namespace corelens {

struct ListWalk {
  enum class End {
    closed,      // back at the head: the whole ring was visited
    stopped,     // the visitor asked to stop
    unreadable,  // a next pointer could not be read (at: where it was)
    loop,        // a node came round again without the ring closing (at: that node)
    too_long,    // more than the cap
  };
  End end = End::closed;
  std::size_t nodes = 0;  // nodes visited, the head not counted
  std::uint64_t at = 0;
  std::string error;      // unreadable: why
  // "breaks off at 0x...: <why>", "loops back to 0x...", "has more than N nodes"; empty when
  // closed or stopped.
  std::string describe(std::size_t max_nodes) const;
};

// Calls VISIT with the address of each node (the list_head inside its struct: container_of is the
// caller's), from HEAD's next on, until the ring comes back to HEAD. VISIT returns false to stop.
ListWalk walk_kernel_list(const MemorySource& memory, std::uint64_t head, std::size_t max_nodes,
                          const std::function<bool(std::uint64_t node)>& visit);

}  // namespace corelens
