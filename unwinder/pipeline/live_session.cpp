#include "unwinder/pipeline/live_session.hpp"

#include "parsers/live/live_process.hpp"
#include "unwinder/pipeline/progress.hpp"
#include "unwinder/pipeline/user_session.hpp"

namespace corelens {

Result<std::shared_ptr<const Session>> open_process(int pid, const AnalyzeOptions& options) {
  if (options.progress && !options.progress(AnalyzeProgress{"stopping the process", 0, 0})) {
    return unexpected(cancelled_error());
  }
  auto live = read_live_process(pid);
  if (!live) return unexpected(live.error());
  auto session = UserSession::from_dump(std::move(live->dump), options, "process " + std::to_string(pid));
  if (!session) return unexpected(session.error());
  (*session)->report_.live = live->stop;
  return std::shared_ptr<const Session>(std::move(*session));
}

}  // namespace corelens
