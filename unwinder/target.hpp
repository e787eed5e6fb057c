// Target: what an unwinder needs from a dump, and nothing else: memory, each thread's initial
// registers, the loaded modules. A user core and (later) a kernel CPU are both Targets, so the
// same backends unwind both.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "core/model/arch.hpp"
#include "core/model/error.hpp"
#include "core/model/memory_source.hpp"
#include "core/model/process.hpp"

namespace corelens {

class Target {
 public:
  virtual ~Target() = default;
  virtual Arch arch() const = 0;
  // Reads memory; a fault carries the address that could not be read.
  virtual Result<void> read_memory(std::uint64_t addr, std::span<std::byte> out) const = 0;
  // Reads instructions: like read_memory, but may also find code the dump did not save (kernel
  // cores leave out file-backed text) in the verified module files.
  virtual Result<void> read_code(std::uint64_t addr, std::span<std::byte> out) const {
    return read_memory(addr, out);
  }
  // Threads are addressed by index: a damaged dump may repeat a tid or record tid 0.
  virtual std::size_t thread_count() const = 0;
  virtual std::int32_t thread_id(std::size_t index) const = 0;
  // Registers at the moment of the dump (frame 0).
  virtual const RegisterSet& initial_registers(std::size_t index) const = 0;
  // Whether the dump holds the thread's floating-point registers (qemu-user cores never do).
  virtual bool has_fpregs(std::size_t) const { return false; }
  // The process's entry point (AT_ENTRY), where its outermost frame is; nullopt when unknown.
  virtual std::optional<std::uint64_t> entry_point() const { return std::nullopt; }
  virtual const std::vector<Module>& modules() const = 0;
  // Whether ADDR lies in memory mapped executable: a stop rule for every unwinding method.
  virtual bool is_executable(std::uint64_t addr) const = 0;
};

// A Target over a parsed user-process core. Holds a reference: the ProcessDump must outlive it.
class ProcessTarget final : public Target {
 public:
  // CODE, when given, serves read_code (see ModuleBackedMemory); it must outlive the target.
  explicit ProcessTarget(const ProcessDump& dump, const MemorySource* code = nullptr) : dump_(dump), code_(code) {}
  Arch arch() const override { return dump_.arch; }
  Result<void> read_memory(std::uint64_t addr, std::span<std::byte> out) const override {
    return dump_.memory.read(addr, out);
  }
  std::size_t thread_count() const override { return dump_.threads.size(); }
  std::int32_t thread_id(std::size_t index) const override { return dump_.threads.at(index).tid; }
  const RegisterSet& initial_registers(std::size_t index) const override {
    return dump_.threads.at(index).registers;
  }
  bool has_fpregs(std::size_t index) const override { return dump_.threads.at(index).has_fpregs; }
  std::optional<std::uint64_t> entry_point() const override { return dump_.auxv_value(9); }  // AT_ENTRY
  const std::vector<Module>& modules() const override { return dump_.modules; }
  bool is_executable(std::uint64_t addr) const override;
  Result<void> read_code(std::uint64_t addr, std::span<std::byte> out) const override {
    return code_ != nullptr ? code_->read(addr, out) : dump_.memory.read(addr, out);
  }

 private:
  const ProcessDump& dump_;
  const MemorySource* code_ = nullptr;
};

}  // namespace corelens
