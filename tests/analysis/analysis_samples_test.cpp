// The crash analysis on every real sample core, as the kernel and as gdb's gcore write them:
// category, severity, the "why" sentence (with line numbers from the CRASH-SITE markers), the
// messages read back from memory (assert, malloc, stack protector, exception type and what()),
// and signatures that are equal across producers and distinct across samples.
#include <gtest/gtest.h>

#include <functional>
#include <map>
#include <regex>
#include <set>

#include "core/model/strings.hpp"
#include "tests/integration/samples.hpp"
#include "tests/support/opt_out.hpp"
#include "unwinder/pipeline/session.hpp"

namespace corelens::testing {
namespace {

struct Expected {
  std::string sample, source, category;
  int signal = 0;       // the fatal signal's number
  std::string why;      // a regex; @LINE@ is replaced by the CRASH-SITE line. Memory faults end with
                        // the value of the variable the access went through (", where p = 0x0 (int *)")
  std::string message;  // a substring of classification.message ("" = must be empty)
};

const std::vector<Expected>& expectations() {
  static const std::vector<Expected> all = {
      {"null_read", "null_read.c", "null-pointer-read", 11,
       R"(^read of 4 bytes at 0x0 through r\w+ \(= 0x0\): NULL pointer dereference of \*p in f3 at null_read\.c:@LINE@, where p = 0x0 \(const int \*\)$)", ""},
      {"wild_write", "wild_write.c", "wild-write", 11,
       R"(^write of 4 bytes at 0xdead000beef through r\w+ \(= 0xdead000beef\): address not mapped \(wild pointer\), writing \*field in store_field at wild_write\.c:@LINE@, where field = 0xdead000beef \(int \*\)$)",
       ""},
      {"readonly_write", "readonly_write.c", "write-to-readonly", 11,
       R"(^write of 1 byte at 0x[0-9a-f]+ through r\w+ \(= 0x[0-9a-f]+\): the memory is read-only \(r--p .*/readonly_write\), writing \*text in capitalize at readonly_write\.c:@LINE@, where text = 0x[0-9a-f]+ "hello, world" \(char \*\)$)",
       ""},
      {"assert_fail", "assert_fail.c", "assertion-failed", 6,
       R"(^assertion failed in parse_header at assert_fail\.c:@LINE@: .*parse_header: Assertion .hdr->magic == HEADER_MAGIC. failed\.$)",
       "parse_header: Assertion `hdr->magic == HEADER_MAGIC' failed."},
      {"uncaught_exception", "uncaught_exception.cpp", "uncaught-exception", 6,
       R"(^uncaught exception std::runtime_error: config value out of range: -1, thrown in validate_config\(int\) at uncaught_exception\.cpp:@LINE@$)",
       "config value out of range: -1"},
      {"stack_overflow", "stack_overflow.c", "stack-overflow", 11,
       R"(stack overflow: 0x[0-9a-f]+ is \d+ KiB below the stack \(0x[0-9a-f]+-0x[0-9a-f]+\) in recurse at stack_overflow\.c:@LINE@$)", ""},
      {"divide_by_zero", "divide_by_zero.c", "divide-by-zero", 8,
       R"(^idiv .*: integer division by zero in average at divide_by_zero\.c:@LINE@$)", ""},
      {"illegal_instruction", "illegal_instruction.c", "illegal-instruction", 4,
       R"(^ud2: deliberately undefined instruction .* in execute_opcode at illegal_instruction\.c:@LINE@$)", ""},
      {"threads_blocked", "threads_blocked.c", "null-pointer-write", 11,
       R"(^write of 4 bytes at 0x0 through r\w+ \(= 0x0\): NULL pointer write to \*slot in crash_in_main_thread at threads_blocked\.c:@LINE@, where slot = 0x0 \(int \*\)$)", ""},
      {"inlined_o2", "inlined_o2.cpp", "null-pointer-read", 11,
       R"(^read of 4 bytes at 0x0 through r\w+ \(= 0x0\): NULL pointer dereference of \*r->field in extract_field at inlined_o2\.cpp:@LINE@, where r = 0x[0-9a-f]+ <broken_record> \(const Record \*\)$)", ""},
      {"heap_corruption", "heap_corruption.c", "heap-corruption", 6,
       R"(^heap corruption detected by glibc in release_buffer at heap_corruption\.c:@LINE@: free\(\): double free detected in tcache 2$)",
       "free(): double free detected in tcache 2"},
      {"stack_smashing", "stack_smashing.c", "stack-smashing", 6,
       R"(^stack smashing detected: .* in copy_name at stack_smashing\.c:@LINE@: \*\*\* stack smashing detected \*\*\*: terminated$)",
       "*** stack smashing detected ***: terminated"},
      {"killed_by_signal", "killed_by_signal.c", "killed", 3, R"(^killed by SIGQUIT sent by pid \d+ \(uid \d+\); thread \d+ waits in pause\(\)$)", ""},
      {"null_call", "null_call.c", "null-pointer-call", 11,
       R"(^execution at 0x0: call through a NULL function pointer, called from run_callback$)",
       ""},
      // The program's own class, through multiple inheritance from std::out_of_range.
      {"uncaught_derived", "uncaught_derived.cpp", "uncaught-exception", 6,
       R"(^uncaught exception ParseError: unexpected '\}' at offset 17, thrown in parse_token\(char, int\) at uncaught_derived\.cpp:@LINE@$)",
       "unexpected '}' at offset 17"},
      // A member function of standard library types: its name as the source writes it.
      {"member_string", "member_string.cpp", "null-pointer-read", 11,
       R"(^read of 4 bytes at 0x0 through r\w+ \(= 0x0\): NULL pointer dereference of \*this->counter_ in Parser::parse\(std::string const&, std::map<std::string, int>&, unsigned long\) at member_string\.cpp:@LINE@, where this = 0x[0-9a-f]+ \(Parser \* const\)$)",
       ""},
      // Other runtimes' fatal errors, with the message they printed (optional samples).
      {"rust_panic", "rust_panic.rs", "rust-panic", 6,
       R"(^Rust panic in rust_panic::pick at rust_panic\.rs:@LINE@: slot 7 requested but only 3 configured$)",
       "slot 7 requested but only 3 configured"},
      {"qt_fatal", "qt_fatal.cpp", "qt-fatal", 6,
       R"(^qFatal in load_settings(\(QString const&, int\))? at qt_fatal\.cpp:@LINE@: settings file /etc/sample\.conf has unsupported version 7$)",
       "settings file /etc/sample.conf has unsupported version 7"},
      // NULL plus a member's offset, the pointer loaded from its stack slot first (-O0).
      {"null_member", "null_member.c", "null-pointer-read", 11,
       R"(^read of 4 bytes at 0x8 through r\w+ \(= 0x0\) \+ 0x8: NULL pointer dereference of h->len in parse at null_member\.c:@LINE@, where h = 0x0 \(const struct header \*\)$)",
       ""},
  };
  return all;
}

struct Case {
  std::string method;
  Expected e;
};
[[maybe_unused]] void PrintTo(const Case& c, std::ostream* os) { *os << c.method << "/" << c.e.sample; }

// Samples that need another toolchain (samples/CMakeLists.txt builds them where it is installed;
// .ci/install-deps installs both): the CORELENS_SKIP area that opts out of each, and what it needs.
struct Toolchain {
  const char* area;
  const char* needs;
};
const std::map<std::string, Toolchain>& optional_samples() {
  static const std::map<std::string, Toolchain> all = {{"rust_panic", {"rust", "rustc (Debian package rustc)"}},
                                                       {"qt_fatal", {"gui", "Qt6 Core (Debian package qt6-base-dev)"}}};
  return all;
}

bool built(const std::string& sample) {
  if (!optional_samples().count(sample)) return true;
  std::string list = std::string(" ") + CORELENS_OPTIONAL_SAMPLES + " ";
  return list.find(" " + sample + " ") != std::string::npos;
}

std::vector<Expected> built_expectations() {
  std::vector<Expected> out;
  for (const auto& e : expectations()) {
    if (built(e.sample)) out.push_back(e);
  }
  return out;
}

// Every sample with both producers, the optional ones too: where one was not built, its tests
// fail (or are skipped when CORELENS_SKIP names its area), they never vanish.
std::vector<Case> cases(const std::function<bool(const Expected&)>& applies = nullptr) {
  std::vector<Case> out;
  for (const char* m : {"auto", "gcore"}) {
    for (const auto& e : expectations()) {
      if (!applies || applies(e)) out.push_back({m, e});
    }
  }
  return out;
}

class SampleTest : public ::testing::TestWithParam<Case> {
 protected:
  void SetUp() override {
    const std::string& sample = GetParam().e.sample;
    auto optional = optional_samples().find(sample);
    if (optional != optional_samples().end()) {
      CORELENS_REQUIRE(optional->second.area, built(sample),
                       "the " + sample + " sample was not built: this machine lacks " + optional->second.needs);
    }
  }
  const Report& report() { return sample_report(GetParam().method, GetParam().e.sample); }
  const CrashAnalysis& analysis() {
    EXPECT_TRUE(report().analysis.has_value());
    static const CrashAnalysis empty;
    return report().analysis ? *report().analysis : empty;
  }
};

// What every sample's analysis says.
class SampleAnalysis : public SampleTest {};

TEST_P(SampleAnalysis, Category) {
  EXPECT_EQ(analysis().classification.category, GetParam().e.category) << analysis().classification.rule;
  EXPECT_FALSE(analysis().classification.rule.empty());
  static const std::set<std::string> severities = {"exploitable", "probably-exploitable", "probably-not-exploitable",
                                                   "unknown"};
  EXPECT_TRUE(severities.count(analysis().classification.severity));
  ASSERT_TRUE(report().signal);
  EXPECT_EQ(report().signal->number, GetParam().e.signal);
}

TEST_P(SampleAnalysis, WhySentence) {
  const Expected& e = GetParam().e;
  std::string pattern = e.why;
  int line = marker_line(e.source, "// CRASH-SITE");
  ASSERT_GT(line, 0);
  for (auto pos = pattern.find("@LINE@"); pos != std::string::npos; pos = pattern.find("@LINE@")) {
    pattern.replace(pos, 6, std::to_string(line));
  }
  EXPECT_TRUE(std::regex_search(analysis().why, std::regex(pattern))) << analysis().why << "\n  !~ " << pattern;
}

TEST_P(SampleAnalysis, MessageFromMemory) {
  const Expected& e = GetParam().e;
  const std::string& msg = analysis().classification.message;
  if (e.message.empty()) {
    EXPECT_EQ(msg, "");
  } else {
    EXPECT_NE(msg.find(e.message), std::string::npos) << msg;
  }
  if (e.category == "uncaught-exception") {
    EXPECT_EQ(analysis().classification.exception_type,
              e.sample == "uncaught_derived" ? "ParseError" : "std::runtime_error");
  }
}

// A message read back from memory is the one the program printed before it died (the samples
// whose runtime prints one).
class SampleMessage : public SampleTest {};
TEST_P(SampleMessage, IsWhatTheProgramPrinted) {
  const Expected& e = GetParam().e;
  ASSERT_FALSE(e.message.empty());
  std::string log = read_text_file(cores_dir(GetParam().method) + "/" + e.sample + ".log");
  EXPECT_NE(log.find(analysis().classification.message), std::string::npos)
      << analysis().classification.message << "\n  not in the program's output:\n" << log;
}

// A memory fault (SIGSEGV) is explained by the faulting instruction, whose operands give the
// address the kernel reported in si_addr.
class SampleMemoryFault : public SampleTest {};
TEST_P(SampleMemoryFault, EffectiveAddressIsTheFaultAddress) {
  const Report& r = report();
  ASSERT_TRUE(r.signal);
  ASSERT_EQ(r.signal->number, 11);
  ASSERT_TRUE(r.analysis);
  ASSERT_TRUE(r.analysis->fault) << "a SIGSEGV without a fault explanation: " << r.analysis->why;
  const FaultExplanation& f = *r.analysis->fault;
  ASSERT_TRUE(f.address.has_value());
  ASSERT_TRUE(f.matches_fault_address.has_value());
  EXPECT_TRUE(*f.matches_fault_address) << hex(*f.address) << " vs si_addr " << hex(r.signal->address.value_or(0));
}

// What the access went through, by DWARF: the pointer variable and the member, as C.
const std::map<std::string, std::pair<std::string, std::string>>& named_accesses() {
  static const std::map<std::string, std::pair<std::string, std::string>> all = {
      {"null_read", {"p", ""}},         {"wild_write", {"field", ""}},  {"readonly_write", {"text", ""}},
      {"threads_blocked", {"slot", ""}}, {"inlined_o2", {"r->field", ""}}, {"null_member", {"h", "h->len"}},
  };
  return all;
}

// The samples whose faulting access goes through a named variable.
class SampleNamedAccess : public SampleTest {
 protected:
  const std::pair<std::string, std::string>& access() const { return named_accesses().at(GetParam().e.sample); }
};

TEST_P(SampleNamedAccess, VariableAndMemberByDwarf) {
  const auto& [variable, member] = access();
  ASSERT_TRUE(analysis().fault.has_value());
  EXPECT_EQ(analysis().fault->variable, variable);
  EXPECT_EQ(analysis().fault->member, member);
}

// gdb, asked for the address of the expression corelens names, in the crashing frame, must give
// the faulting address: the name is not only plausible, it is the memory that faulted.
TEST_P(SampleNamedAccess, NamedExpressionIsTheFaultAddressInGdb) {
  const auto& [variable, member] = access();
  const auto& f = analysis().fault;
  ASSERT_TRUE(f.has_value() && f->address.has_value());
  std::string expr = member.empty() ? "*" + variable : member;
  std::string out = run_command("gdb -batch -nx -ex 'print/x (unsigned long)&(" + expr + ")' " +
                                exe_path(GetParam().method, GetParam().e.sample) + " " +
                                core_path(GetParam().method, GetParam().e.sample) + " 2>/dev/null | tail -1");
  EXPECT_NE(out.find("= " + hex(*f->address) + "\n"), std::string::npos) << expr << ": " << out;
}

TEST_P(SampleAnalysis, SignatureIsReadableAndHashed) {
  const CrashSignature& s = analysis().signature;
  EXPECT_EQ(s.hash.size(), 16u);
  EXPECT_TRUE(s.readable.starts_with(GetParam().e.category + " | ")) << s.readable;
  ASSERT_FALSE(s.frames.empty());
  // No libc or C++ runtime machinery (a killed process keeps the call it was parked in).
  if (GetParam().e.category == "killed") return;
  for (const auto& f : s.frames) {
    EXPECT_EQ(f.find("libc.so"), std::string::npos) << s.readable;
    EXPECT_EQ(f.find("libstdc++"), std::string::npos) << s.readable;
  }
}

std::string case_name(const ::testing::TestParamInfo<Case>& info) { return info.param.method + "_" + info.param.e.sample; }
INSTANTIATE_TEST_SUITE_P(Samples, SampleAnalysis, ::testing::ValuesIn(cases()), case_name);
INSTANTIATE_TEST_SUITE_P(Samples, SampleMessage,
                         ::testing::ValuesIn(cases([](const Expected& e) { return !e.message.empty(); })), case_name);
INSTANTIATE_TEST_SUITE_P(Samples, SampleMemoryFault,
                         ::testing::ValuesIn(cases([](const Expected& e) { return e.signal == 11; })), case_name);
INSTANTIATE_TEST_SUITE_P(Samples, SampleNamedAccess,
                         ::testing::ValuesIn(cases([](const Expected& e) { return named_accesses().count(e.sample) > 0; })),
                         case_name);

TEST(SampleSignatures, SameAcrossProducersDistinctAcrossSamples) {
  std::map<std::string, std::string> owner;  // hash -> sample
  for (const auto& e : built_expectations()) {
    const auto& a = *sample_report("auto", e.sample).analysis;
    const auto& g = *sample_report("gcore", e.sample).analysis;
    EXPECT_EQ(a.signature.readable, g.signature.readable) << e.sample;
    EXPECT_EQ(a.signature.hash, g.signature.hash) << e.sample;
    auto [it, inserted] = owner.emplace(a.signature.hash, e.sample);
    EXPECT_TRUE(inserted) << e.sample << " and " << it->second << " share " << a.signature.readable;
  }
}

TEST(SampleSignatures, SameAcrossBuildsWithAnotherLayout) {
  for (const char* sample : {"null_read", "assert_fail"}) {
    AnalyzeOptions options;
    options.locator.debug_dirs = {"/usr/lib/debug"};
    auto relayout = analyze_file(std::string(CORELENS_ANALYSIS_CORES) + "/relayout/" + sample + ".core", options);
    ASSERT_TRUE(relayout.has_value()) << relayout.error().message;
    const Report& original = sample_report("auto", sample);
    // The layouts really differ: the crashing function sits elsewhere in its module.
    const Frame* a = nullptr;
    const Frame* b = nullptr;
    for (const auto& f : original.threads.front().frames) {
      if (a == nullptr && (f.function == "f3" || f.function == "parse_header")) a = &f;
    }
    for (const auto& f : relayout->threads.front().frames) {
      if (b == nullptr && (f.function == "f3" || f.function == "parse_header")) b = &f;
    }
    ASSERT_TRUE(a != nullptr && b != nullptr) << sample;
    EXPECT_NE(a->module_offset, b->module_offset) << sample;
    EXPECT_NE(a->pc, b->pc) << sample;
    EXPECT_EQ(original.analysis->signature.readable, relayout->analysis->signature.readable) << sample;
    EXPECT_EQ(original.analysis->signature.hash, relayout->analysis->signature.hash) << sample;
    EXPECT_EQ(original.analysis->classification.category, relayout->analysis->classification.category);
  }
}

TEST(SampleHealth, CleanCoresHaveNoProblemsThatMatter) {
  for (const auto& e : built_expectations()) {
    for (const auto& h : sample_report("auto", e.sample).analysis->health) {
      EXPECT_NE(h.kind, "truncated") << e.sample << ": " << h.message;
      EXPECT_NE(h.kind, "module-mismatch") << e.sample << ": " << h.message;
    }
  }
}

}  // namespace
}  // namespace corelens::testing
