// The fault classes (docs/user-guide.md, "Categories") on real cores of the fault-class samples,
// made by samples/make-distro-cores.sh in every set: this machine's gcc and glibc (host), Debian
// 12's i386 cross toolchain under qemu-i386, and Debian 11 (glibc 2.31) and Debian 13 (glibc
// 2.41) chroots, x86_64 and i386. The chroots' cores are analysed here, where their libc is not:
// the host's libc of the same path has another build id, so libc's frames have no names and the
// runtime checks must be found through the executable's PLT.
//
// Each core: the category and severity of the table, the crash site's function, and, for the
// signals raised by an instruction, the pc, the instruction and the fault address as gdb reads
// them from the same core.
#include <gtest/gtest.h>

#include <algorithm>
#include <cctype>
#include <map>
#include <regex>

#include "core/model/strings.hpp"
#include "tests/integration/samples.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

struct Expected {
  std::string sample;
  std::string category;
  std::string severity;
  std::string site;  // the function the "why" sentence names ("" = none is checked)
};

// Where the x86_64 and i386 crashes differ, the i386 line follows with its own expectation.
const std::vector<Expected>& expectations(bool i386) {
  static const std::vector<Expected> x86_64 = {
      {"bad_return", "bad-return", "exploitable", "copy_record"},
      {"wild_call_table", "wild-call", "exploitable", "dispatch"},
      {"wild_call_pointer", "wild-call", "exploitable", "close_session"},
      {"wild_jump", "wild-jump", "exploitable", "run_opcode"},
      {"tainted_write", "tainted-write", "exploitable", "record_hit"},
      {"tainted_call", "tainted-call", "exploitable", "dispatch"},
      {"wild_read", "wild-read", "unknown", "total_length"},
      {"wild_write", "wild-write", "exploitable", "store_field"},
      {"null_read", "null-pointer-read", "probably-not-exploitable", "f3"},
      {"null_write", "null-pointer-write", "probably-exploitable", "set_length"},
      {"null_call", "null-pointer-call", "probably-exploitable", ""},
      {"fortify_fail", "fortify-check", "probably-not-exploitable", "save_name"},
      {"stack_smashing", "stack-smashing", "exploitable", "copy_name"},
      {"heap_corruption", "heap-corruption", "exploitable", "release_buffer"},
      {"assert_fail", "assertion-failed", "unknown", "parse_header"},
      {"illegal_instruction", "illegal-instruction", "probably-not-exploitable", "execute_opcode"},
      {"invalid_opcode", "illegal-instruction", "probably-exploitable", "not_code"},
      {"plain_abort", "abort", "unknown", "give_up"},
  };
  static const std::vector<Expected> on_i386 = [] {
    std::vector<Expected> v = x86_64;
    for (auto& e : v) {
      // The ret and the call succeed (no canonical-address check on i386): the cpu faults at the
      // bytes they went to, and no function is there to name.
      if (e.sample == "bad_return" || e.sample == "wild_call_pointer") e.site = "";
    }
    return v;
  }();
  return i386 ? on_i386 : x86_64;
}

const std::vector<std::string>& sets() {
  static const std::vector<std::string> all = {"host", "i386", "debian11", "debian11-i386", "debian13", "debian13-i386"};
  return all;
}

std::string set_dir(const std::string& set) { return std::string(CORELENS_FAULT_CORES) + "/" + set; }

struct Case {
  std::string set;
  Expected e;
};
[[maybe_unused]] void PrintTo(const Case& c, std::ostream* os) { *os << c.set << "/" << c.e.sample; }

std::vector<Case> cases() {
  std::vector<Case> out;
  for (const auto& set : sets()) {
    for (const auto& e : expectations(set.ends_with("i386"))) out.push_back({set, e});
  }
  return out;
}

const Report& fault_report(const Case& c) {
  static std::map<std::string, Report> cache;
  std::string key = c.set + "/" + c.e.sample;
  if (auto it = cache.find(key); it != cache.end()) return it->second;
  AnalyzeOptions options;
  options.locator.executable = set_dir(c.set) + "/" + c.e.sample;
  auto report = analyze_file(set_dir(c.set) + "/" + c.e.sample + ".core", options);
  if (!report) {
    ADD_FAILURE() << key << ": " << report.error().message;
    return cache.emplace(key, Report{}).first->second;
  }
  return cache.emplace(key, std::move(*report)).first->second;
}

class FaultClass : public ::testing::TestWithParam<Case> {
 protected:
  const CrashAnalysis& analysis() {
    const Report& r = fault_report(GetParam());
    EXPECT_TRUE(r.analysis.has_value());
    static const CrashAnalysis empty;
    return r.analysis ? *r.analysis : empty;
  }
};

TEST_P(FaultClass, CategoryAndSeverity) {
  const auto& a = analysis();
  EXPECT_EQ(a.classification.category, GetParam().e.category) << a.classification.rule << "\n  why: " << a.why;
  EXPECT_EQ(a.classification.severity, GetParam().e.severity) << a.classification.rule;
}

TEST_P(FaultClass, SiteIsTheProgramsOwnFunction) {
  const auto& a = analysis();
  const std::string& site = GetParam().e.site;
  if (site.empty()) {
    // Nothing to name: the why says where execution went instead.
    EXPECT_TRUE(a.why.find("0x") != std::string::npos) << a.why;
    return;
  }
  EXPECT_TRUE(std::regex_search(a.why, std::regex(" in " + site + "( at |\\b)"))) << a.why;
}

// gdb's answer for one expression on the core, or "" when it printed none.
std::string gdb_value(const std::string& out, const std::string& tag) {
  std::regex re(tag + R"(=\s*(\S.*))");
  std::smatch m;
  return std::regex_search(out, m, re) ? m[1].str() : std::string();
}

// An instruction's text as both tools agree on it: gdb says "QWORD PTR [rdx+rax*1+0x8]",
// Capstone "qword ptr [rdx + rax + 8]" (small numbers in decimal, no scale of 1).
std::string squeeze(std::string s) {
  s.erase(std::remove_if(s.begin(), s.end(), [](unsigned char c) { return std::isspace(c); }), s.end());
  std::transform(s.begin(), s.end(), s.begin(), [](unsigned char c) { return std::tolower(c); });
  for (auto pos = s.find("*1"); pos != std::string::npos; pos = s.find("*1", pos)) {
    if (pos + 2 < s.size() && std::isxdigit(static_cast<unsigned char>(s[pos + 2]))) {
      pos += 2;
      continue;
    }
    s.erase(pos, 2);
  }
  std::string out;
  std::regex hexnum("0x([0-9a-f]+)");
  std::sregex_iterator it(s.begin(), s.end(), hexnum), end;
  std::size_t last = 0;
  for (; it != end; ++it) {
    out += s.substr(last, static_cast<std::size_t>(it->position()) - last);
    out += std::to_string(std::stoull((*it)[1].str(), nullptr, 16));
    last = static_cast<std::size_t>(it->position() + it->length());
  }
  return out + s.substr(last);
}

TEST_P(FaultClass, PcInstructionAndAddressAsGdbReadsThem) {
  const Report& r = fault_report(GetParam());
  ASSERT_TRUE(r.signal.has_value());
  // SIGABRT is raised by abort(), in libc's code: no faulting instruction to compare.
  if (r.signal->number != 11 && r.signal->number != 4) return;
  ASSERT_TRUE(r.analysis && r.analysis->fault) << "no fault explained";
  const FaultExplanation& f = *r.analysis->fault;
  std::string dir = set_dir(GetParam().set), name = GetParam().e.sample;
  std::string cmd = "gdb -batch -nx -ex 'set disassembly-flavor intel' -ex 'printf \"PC=0x%lx\\n\", $pc' "
                    "-ex 'printf \"SI=0x%lx\\n\", $_siginfo._sifields._sigfault.si_addr' -ex 'x/i $pc' '" +
                    dir + "/" + name + "' '" + dir + "/" + name + ".core' 2>&1";
  // gdb's status is 1 when `x/i $pc` cannot read the pc (nothing mapped there): the rest stands.
  int status = 0;
  std::string out = run_command(cmd, &status);
  ASSERT_TRUE(status == 0 || out.find("Cannot access memory") != std::string::npos) << out;
  std::string pc = gdb_value(out, "PC");
  ASSERT_FALSE(pc.empty()) << out;
  EXPECT_EQ(hex(f.pc), pc) << out;
  // gdb prints "=> 0x...: mov ..." (with <symbol+off> when it knows one), or "Cannot access
  // memory" where nothing is mapped at the pc, and then we read nothing there either.
  std::smatch m;
  if (std::regex_search(out, m, std::regex(R"(=> 0x[0-9a-f]+(?: <[^>]*>)?:\s*([^\n]*))"))) {
    std::string theirs = m[1].str();
    if (theirs.starts_with("Cannot access memory")) {
      EXPECT_TRUE(f.instruction.empty()) << f.instruction;  // nothing mapped at the pc
      EXPECT_EQ(f.access, "execute");
    } else if (r.signal->number == 4 && f.instruction.empty()) {
      // Capstone 4 decodes no instruction from bytes the cpu rejects; gdb prints "(bad)", or
      // for a LOCK prefix where none may be, the instruction with it ("lock nop"): both say the
      // bytes are no valid instruction.
      EXPECT_TRUE(theirs.starts_with("(bad)") || theirs.starts_with("lock ")) << theirs;
    } else {
      std::string mnemonic = theirs.substr(0, theirs.find(' '));
      EXPECT_EQ(f.instruction.substr(0, f.instruction.find(' ')), mnemonic) << theirs;
      // Operands as text: gdb says "QWORD PTR [rax+r8*8]", Capstone "qword ptr [rax + r8*8]".
      EXPECT_EQ(squeeze(f.instruction), squeeze(theirs)) << theirs;
    }
  } else {
    ADD_FAILURE() << "gdb printed no instruction line:\n" << out;
  }
  // The kernel's cores record si_addr; qemu-user's do not (gdb then prints none, or 0).
  std::string si = gdb_value(out, "SI");
  if (r.signal->address) {
    EXPECT_EQ(hex(*r.signal->address), si) << out;
  }
}

INSTANTIATE_TEST_SUITE_P(Sets, FaultClass, ::testing::ValuesIn(cases()), [](const auto& p) {
  std::string n = p.param.set + "_" + p.param.e.sample;
  std::replace(n.begin(), n.end(), '-', '_');
  return n;
});

}  // namespace
}  // namespace corelens::testing
