// The per-architecture disassemblers behind make_disassembler (one file each, all on Capstone 4),
// and the little they share. Private to core/analysis.
#pragma once

#include <capstone/capstone.h>

#include <algorithm>
#include <memory>
#include <string>

#include "core/analysis/disassembler.hpp"

namespace corelens {

Result<std::unique_ptr<Disassembler>> make_disassembler_x86(bool is_64bit);
Result<std::unique_ptr<Disassembler>> make_disassembler_arm64();
Result<std::unique_ptr<Disassembler>> make_disassembler_arm(bool thumb);
Result<std::unique_ptr<Disassembler>> make_disassembler_ppc64le();
Result<std::unique_ptr<Disassembler>> make_disassembler_s390x();

namespace capstone_util {

// Owns a Capstone handle with details on.
class Handle {
 public:
  static Result<Handle> open(cs_arch arch, int mode, const char* what) {
    csh h = 0;
    if (cs_open(arch, static_cast<cs_mode>(mode), &h) != CS_ERR_OK) {
      return fail(ErrorCode::internal, std::string("Capstone cannot open a disassembler for ") + what);
    }
    cs_option(h, CS_OPT_DETAIL, CS_OPT_ON);
    return Handle(h);
  }
  Handle(Handle&& o) noexcept : h_(o.h_) { o.h_ = 0; }
  Handle& operator=(Handle&&) = delete;
  Handle(const Handle&) = delete;
  ~Handle() {
    if (h_ != 0) cs_close(&h_);
  }
  csh get() const { return h_; }
  std::string reg_name(unsigned reg) const {
    if (reg == 0) return {};
    const char* n = cs_reg_name(h_, reg);
    return n == nullptr ? std::string() : std::string(n);
  }

 private:
  explicit Handle(csh h) : h_(h) {}
  csh h_ = 0;
};

// One decoded instruction, freed with the value.
class Insn {
 public:
  Insn(const Handle& h, std::span<const std::byte> code, std::uint64_t address) {
    n_ = cs_disasm(h.get(), reinterpret_cast<const std::uint8_t*>(code.data()), code.size(), address, 1, &insn_);
  }
  ~Insn() {
    if (n_ > 0) cs_free(insn_, n_);
  }
  Insn(const Insn&) = delete;
  Insn& operator=(const Insn&) = delete;
  bool ok() const { return n_ == 1; }
  const cs_insn& operator*() const { return insn_[0]; }
  const cs_insn* operator->() const { return insn_; }

 private:
  cs_insn* insn_ = nullptr;
  std::size_t n_ = 0;
};

// The fields every architecture fills the same way: address, length, text, mnemonic, and every
// register written (flags and the pc left out), through Capstone's register access tables.
inline DecodedInstruction basics(const Handle& h, const cs_insn& i, const std::string& pc_name,
                                 std::string (*canonical)(std::string)) {
  DecodedInstruction out;
  out.address = i.address;
  out.length = i.size;
  out.mnemonic = i.mnemonic;
  out.text = i.mnemonic;
  if (i.op_str[0] != '\0') out.text += std::string(" ") + i.op_str;
  cs_regs read_regs, write_regs;
  std::uint8_t nread = 0, nwrite = 0;
  if (cs_regs_access(h.get(), &i, read_regs, &nread, write_regs, &nwrite) == CS_ERR_OK) {
    for (std::uint8_t k = 0; k < nwrite; ++k) {
      std::string name = canonical(h.reg_name(write_regs[k]));
      if (name.empty() || name == pc_name || name == "nzcv" || name == "cpsr" || name.starts_with("cr")) continue;
      if (std::find(out.registers_written.begin(), out.registers_written.end(), name) == out.registers_written.end()) {
        out.registers_written.push_back(std::move(name));
      }
    }
  }
  return out;
}

inline bool starts_with(const std::string& s, std::string_view prefix) { return s.rfind(prefix, 0) == 0; }

}  // namespace capstone_util
}  // namespace corelens
