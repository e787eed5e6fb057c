#include "core/model/stack.hpp"

namespace corelens {

const char* to_string(FrameTrust trust) {
  switch (trust) {
    case FrameTrust::context: return "context";
    case FrameTrust::cfi: return "cfi";
    case FrameTrust::frame_pointer: return "frame-pointer";
    case FrameTrust::scan: return "scan";
  }
  return "unknown";
}

const char* to_string(FrameOrigin origin) {
  switch (origin) {
    case FrameOrigin::context: return "context";
    case FrameOrigin::cfi: return "cfi";
    case FrameOrigin::call_site: return "call-site";
    case FrameOrigin::exidx: return "exidx";
    case FrameOrigin::orc: return "orc";
    case FrameOrigin::vmlinux_cfi: return "dwarf-cfi";
    case FrameOrigin::prologue: return "prologue";
    case FrameOrigin::link_register: return "link-register";
    case FrameOrigin::frame_pointer: return "frame-pointer";
    case FrameOrigin::scan: return "scan";
  }
  return "unknown";
}

bool Frame::is_user_context() const { return stack_area == kUserStackArea; }

const char* trust_label(const Frame& frame) { return frame.inlined ? "inlined" : to_string(frame.trust); }

const char* found_by_label(const Frame& frame) { return frame.inlined ? "inlined" : to_string(frame.origin); }

UnwindStatus UnwindStatus::done(std::string detail) { return UnwindStatus{StopReason::complete, std::move(detail), {}}; }

UnwindStatus UnwindStatus::frame_limit(std::size_t max_frames) {
  return UnwindStatus{StopReason::frame_limit, "stopped at the frame limit of " + std::to_string(max_frames), {}};
}

UnwindStatus UnwindStatus::cancelled() { return UnwindStatus{StopReason::cancelled, {}, {}}; }

UnwindStatus UnwindStatus::stopped(StopReason reason, std::string detail) {
  return UnwindStatus{reason, std::move(detail), {}};
}

std::string describe(const UnwindStatus& status) {
  std::string out;
  switch (status.reason) {
    case StopReason::complete: out = status.detail.empty() ? "complete" : "complete: " + status.detail; break;
    case StopReason::cancelled: out = "cancelled"; break;
    default: out = status.detail; break;
  }
  if (!status.note.empty()) out += "; " + status.note;
  return out;
}

}  // namespace corelens
