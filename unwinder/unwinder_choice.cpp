#include "unwinder/unwinder_choice.hpp"

#include "core/model/strings.hpp"

namespace corelens {

std::optional<UnwinderChoice> parse_unwinder_choice(std::string_view text) {
  if (text == "dwfl") return UnwinderChoice::dwfl;
  if (text == "libunwind") return UnwinderChoice::libunwind;
  if (text == "auto") return UnwinderChoice::automatic;
  if (text == "cross-check") return UnwinderChoice::cross_check;
  return std::nullopt;
}

std::string_view to_string(UnwinderChoice choice) {
  switch (choice) {
    case UnwinderChoice::dwfl: return "dwfl";
    case UnwinderChoice::libunwind: return "libunwind";
    case UnwinderChoice::automatic: return "auto";
    case UnwinderChoice::cross_check: return "cross-check";
  }
  return "dwfl";
}

namespace {

std::string frames_text(std::size_t n) { return std::to_string(n) + (n == 1 ? " frame" : " frames"); }

std::string frame_text(const CrossCheckFrame& f) {
  std::string out = hex(f.pc);
  if (!f.function.empty()) out += " in " + f.function;
  return out + " (" + to_string(f.trust) + ")";
}

std::string stopped_text(const CrossCheckSide& s) {
  return s.unwinder + " stops after " + frames_text(s.frames) + (s.complete ? " (complete)" : " (" + s.status + ")");
}

std::string describe(const UnwinderComparison& c) {
  const CrossCheckSide& d = c.dwfl;
  const CrossCheckSide& u = c.libunwind;
  if (c.agree) {
    std::string out = "the same " + frames_text(d.frames);
    if (c.first_trust_difference && d.frame && u.frame) {
      out += "; from frame " + std::to_string(*c.first_trust_difference) + " on, found differently: " + d.unwinder +
             " by " + to_string(d.frame->trust) + ", " + u.unwinder + " by " + to_string(u.frame->trust);
    }
    return out;
  }
  std::size_t at = c.first_difference.value_or(0);
  if (d.frame && u.frame) {
    return "they part at frame " + std::to_string(at) + ": " + d.unwinder + " has " + frame_text(*d.frame) + ", " +
           u.unwinder + " " + frame_text(*u.frame);
  }
  const CrossCheckSide& shorter = d.frame ? u : d;
  const CrossCheckSide& longer = d.frame ? d : u;
  return stopped_text(shorter) + "; " + longer.unwinder + " goes on to " + frames_text(longer.frames) + ", with " +
         (longer.frame ? frame_text(*longer.frame) : std::string("?")) + " next";
}

CrossCheckFrame cross_frame(const RawFrame& f) { return CrossCheckFrame{f.pc, f.sp, f.trust, {}}; }

// The address whose function a frame stands in: the call before a return address.
std::uint64_t lookup_pc(const RawFrame& f, std::size_t index) { return f.is_activation || index == 0 ? f.pc : f.pc - 1; }

}  // namespace

UnwinderComparison compare_stacks(std::int32_t tid, const RawStack& dwfl, const RawStack& libunwind) {
  UnwinderComparison c;
  c.tid = tid;
  c.dwfl = CrossCheckSide{"libdwfl", dwfl.frames.size(), dwfl.status.complete(), describe(dwfl.status), std::nullopt};
  c.libunwind = CrossCheckSide{"libunwind", libunwind.frames.size(), libunwind.status.complete(), describe(libunwind.status),
                               std::nullopt};
  std::size_t shared = std::min(dwfl.frames.size(), libunwind.frames.size());
  for (std::size_t i = 0; i < shared && !c.first_difference; ++i) {
    const RawFrame& a = dwfl.frames[i];
    const RawFrame& b = libunwind.frames[i];
    if (a.pc != b.pc || a.sp != b.sp) c.first_difference = i;
    else if (a.trust != b.trust && !c.first_trust_difference) c.first_trust_difference = i;
  }
  if (!c.first_difference && dwfl.frames.size() != libunwind.frames.size()) c.first_difference = shared;
  c.agree = !c.first_difference;
  std::optional<std::size_t> shown = c.agree ? c.first_trust_difference : c.first_difference;
  if (shown) {
    if (*shown < dwfl.frames.size()) c.dwfl.frame = cross_frame(dwfl.frames[*shown]);
    if (*shown < libunwind.frames.size()) c.libunwind.frame = cross_frame(libunwind.frames[*shown]);
  }
  c.summary = describe(c);
  return c;
}

Unwinders::Unwinders(UnwinderChoice choice, const Target& target, const std::vector<LocatedModule>& located,
                     DwflBackend& dwfl)
    : choice_(choice), dwfl_(dwfl) {
  if (choice == UnwinderChoice::dwfl) return;
  auto backend = LibunwindBackend::create(target, located);
  if (backend) libunwind_ = std::move(*backend);
  else libunwind_error_ = backend.error().message;
}

RawStack Unwinders::unwind(std::size_t index, std::int32_t tid, const UnwindLimits& limits) {
  if (choice_ == UnwinderChoice::libunwind && libunwind_) return libunwind_->unwind(index, limits);
  RawStack dwfl = dwfl_.unwind(index, limits);
  if (!libunwind_ || choice_ == UnwinderChoice::dwfl || choice_ == UnwinderChoice::libunwind) return dwfl;
  if (choice_ == UnwinderChoice::automatic) {
    if (dwfl.status.complete() || dwfl.status.reason == StopReason::cancelled) return dwfl;
    RawStack other = libunwind_->unwind(index, limits);
    // Further: to the outermost frame, or to more frames higher up the stack. More frames alone
    // is not enough: a scan can find many that are not there.
    auto top = [](const RawStack& s) { return s.frames.empty() ? std::nullopt : s.frames.back().sp; };
    bool further = other.status.complete() || (other.frames.size() > dwfl.frames.size() && top(other) && top(dwfl) &&
                                      *top(other) > *top(dwfl));
    if (!further) return dwfl;
    other.status.note = "by libunwind, since libdwfl stopped after " + frames_text(dwfl.frames.size()) + " (" +
                        describe(dwfl.status) + ")";
    return other;
  }
  // cross-check: libdwfl's stack is the one reported.
  RawStack other = libunwind_->unwind(index, limits);
  UnwinderComparison c = compare_stacks(tid, dwfl, other);
  std::optional<std::size_t> shown = c.agree ? c.first_trust_difference : c.first_difference;
  if (shown) {
    auto name = [&](const RawStack& s, std::optional<CrossCheckFrame>& f) {
      if (!f) return;
      const auto& chain = dwfl_.symbolize(lookup_pc(s.frames[*shown], *shown));
      if (!chain.empty()) f->function = chain.back().function;
    };
    name(dwfl, c.dwfl.frame);
    name(other, c.libunwind.frame);
    c.summary = describe(c);
  }
  comparisons_.push_back(std::move(c));
  return dwfl;
}

std::vector<UnwinderComparison> Unwinders::take_comparisons(Diagnostics& diags) {
  for (const auto& c : comparisons_) {
    if (!c.agree) {
      diags.warn("unwinders-disagree", "thread " + std::to_string(c.tid) + ": libdwfl and libunwind disagree: " + c.summary);
    } else if (c.first_trust_difference) {
      diags.info("unwinders-differ-in-trust", "thread " + std::to_string(c.tid) + ": " + c.summary);
    }
  }
  return std::move(comparisons_);
}

}  // namespace corelens
