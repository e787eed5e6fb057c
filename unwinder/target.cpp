#include "unwinder/target.hpp"

namespace corelens {

bool ProcessTarget::is_executable(std::uint64_t addr) const {
  const Mapping* m = dump_.mapping_at(addr);
  return m != nullptr && (m->flags & kExec) != 0;
}

}  // namespace corelens
