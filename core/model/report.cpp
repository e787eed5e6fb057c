#include "core/model/report.hpp"

namespace corelens {

std::string producer_words(const std::string& producer) {
  if (producer == "gdb") return "gdb's gcore";
  if (producer == "kernel") return "the kernel";
  if (producer == "live") return "nobody (read from the running process)";
  return producer;
}

const char* to_string(FrameTrust trust) {
  switch (trust) {
    case FrameTrust::context: return "context";
    case FrameTrust::cfi: return "cfi";
    case FrameTrust::frame_pointer: return "frame-pointer";
    case FrameTrust::scan: return "scan";
    case FrameTrust::inlined: return "inlined";
  }
  return "unknown";
}

const char* to_string(SymbolSource source) {
  switch (source) {
    case SymbolSource::file: return "file";
    case SymbolSource::debug_file: return "debug-file";
    case SymbolSource::debuginfod: return "debuginfod";
    case SymbolSource::core_memory: return "core-memory";
    case SymbolSource::none: return "none";
    case SymbolSource::mismatch: return "mismatch";
  }
  return "unknown";
}

}  // namespace corelens
