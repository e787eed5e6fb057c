// The Report as text for people: the crash at a glance, then the crashing thread's stack, then
// every other thread, then what is wrong with the dump or the files it names.
#pragma once

#include <string>

#include "core/model/frame_variables.hpp"
#include "core/model/report.hpp"

namespace corelens {

struct TextOptions {
  bool collapse_recursion = true;  // "recurse × 261,885 frames" instead of every frame
  bool show_registers = false;
  bool show_modules = false;       // all modules (those with problems are always listed)
  bool show_mappings = false;
  bool show_notes = false;
  // ANSI colours (signal, crashing thread, functions, files, addresses, untrusted frames). The
  // front end decides (a terminal, --color, NO_COLOR); off, the text has no escape at all.
  bool color = false;
  // Values read from the dump (unwinder/values): each frame line shows its arguments, as gdb's
  // backtrace does; with LOCALS its locals follow it, members expanded as the source was told.
  // Null: no values (the CI reports of run, collect and triage).
  const FrameVariableSource* variables = nullptr;
  bool locals = false;
};

std::string report_to_text(const Report& report, const TextOptions& options = {});
// One frame as a line ("#3  0x... in parse_header at x.c:12:5 [prog+0x1234] (cfi)"), with the
// arguments among VARIABLES after the function ("parse_header (hdr=0x4052a0, len=12)"), its pc
// in ADDRESS_DIGITS hex digits (address_digits of core/model/arch.hpp: 8 on 32-bit dumps).
std::string frame_to_text(const Frame& frame, bool color = false, const std::vector<VariableReport>* variables = nullptr,
                          int address_digits = 16);
// "SIGSEGV (Segmentation fault), SEGV_MAPERR: address not mapped to object"
std::string signal_summary(const SignalReport& signal);

}  // namespace corelens
