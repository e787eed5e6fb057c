#include "unwinder/kernel/list_walk.hpp"

#include <unordered_set>

#include "core/model/strings.hpp"

namespace corelens {

std::string ListWalk::describe(std::size_t max_nodes) const {
  switch (end) {
    case End::unreadable: return "breaks off at " + hex(at) + ": " + error;
    case End::loop: return "loops back to " + hex(at) + " without coming round to its head";
    case End::too_long: return "has more than " + std::to_string(max_nodes) + " nodes";
    default: return {};
  }
}

ListWalk walk_kernel_list(const MemorySource& memory, std::uint64_t head, std::size_t max_nodes,
                          const std::function<bool(std::uint64_t node)>& visit) {
  ListWalk w;
  std::unordered_set<std::uint64_t> seen;
  // list_head.next is the first member: a node's next is the 8 bytes at the node.
  auto next_of = [&](std::uint64_t node) -> std::optional<std::uint64_t> {
    std::byte b[8];
    auto r = memory.read(node, b);
    if (!r) {
      w.end = ListWalk::End::unreadable;
      w.at = node;
      w.error = r.error().message;
      return std::nullopt;
    }
    std::uint64_t v = 0;
    for (int i = 7; i >= 0; --i) v = (v << 8) | std::to_integer<std::uint64_t>(b[i]);  // little-endian
    return v;
  };
  auto node = next_of(head);
  while (node && *node != head) {
    if (w.nodes >= max_nodes) {
      w.end = ListWalk::End::too_long;
      return w;
    }
    if (!seen.insert(*node).second) {
      w.end = ListWalk::End::loop;
      w.at = *node;
      return w;
    }
    ++w.nodes;
    if (!visit(*node)) {
      w.end = ListWalk::End::stopped;
      return w;
    }
    node = next_of(*node);
  }
  return w;
}

}  // namespace corelens
