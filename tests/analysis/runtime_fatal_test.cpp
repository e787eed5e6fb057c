// Unit tests of the Rust and Qt side of the analysis: Rust symbol names (both manglings, checked
// against binutils' c++filt on the symbols of real Rust 1.63 and 1.95 programs), glob patterns
// in skip lists, and the panic payload found on a hand-built stack.
#include <gtest/gtest.h>

#include <map>

#include "core/analysis/runtime_fatal.hpp"
#include "core/analysis/rust_names.hpp"
#include "core/analysis/signature.hpp"
#include "tests/analysis/fake_memory.hpp"

namespace corelens {
namespace {

TEST(RustNames, LegacyWithoutHashAndEscapes) {
  EXPECT_EQ(rust_readable("std::panicking::rust_panic_with_hook::h57071e38e2bc223f"),
            "std::panicking::rust_panic_with_hook");
  EXPECT_EQ(rust_readable("std::panicking::begin_panic_handler::_$u7b$$u7b$closure$u7d$$u7d$::h7ff3a0ebbf1ba422"),
            "std::panicking::begin_panic_handler::{{closure}}");
  EXPECT_EQ(rust_readable("_$LT$alloc..vec..Vec$LT$T$C$A$GT$$u20$as$u20$core..ops..index..Index$LT$I$GT$$GT$::index::"
                          "hae140c2e96f0b5b8"),
            "<alloc::vec::Vec<T,A> as core::ops::index::Index<I>>::index");
}

TEST(RustNames, V0Paths) {
  EXPECT_EQ(rust_readable("_RNvNtNtNtCsjrHSEGnQ3l9_3std3sys3pal4unix14abort_internal"), "std::sys::pal::unix::abort_internal");
  EXPECT_EQ(rust_readable("_RNvCsfLfy6EI15iL_7___rustc10rust_panic"), "__rustc::rust_panic");
  EXPECT_EQ(rust_readable("_RNCNvNtCsjrHSEGnQ3l9_3std9panicking13panic_handler0B5_"),
            "std::panicking::panic_handler::{closure#0}");
  EXPECT_EQ(rust_readable("_RINvNtNtCsjrHSEGnQ3l9_3std3sys9backtrace26___rust_end_short_backtraceNCNvNtB6_9panicking13"
                          "panic_handler0zEB6_"),
            "std::sys::backtrace::__rust_end_short_backtrace::<std::panicking::panic_handler::{closure#0}, !>");
  EXPECT_EQ(rust_readable("_RNCNCNCNvNtCsjrHSEGnQ3l9_3std2rt19lang_start_internal00s_0B9_"),
            "std::rt::lang_start_internal::{closure#0}::{closure#0}::{closure#1}");
}

TEST(RustNames, OtherNamesAndGarbageStayAsTheyAre) {
  EXPECT_EQ(rust_readable("parse_header"), "parse_header");
  EXPECT_EQ(rust_readable("std::vector<int>::at(unsigned long)"), "std::vector<int>::at(unsigned long)");
  EXPECT_EQ(rust_readable("_RNvB99999_3foo"), "_RNvB99999_3foo");   // a backref forward
  EXPECT_EQ(rust_readable("_RNvCs_3std999999999bad"), "_RNvCs_3std999999999bad");  // longer than the name
  EXPECT_EQ(rust_readable("_R"), "_R");
}

TEST(SkipList, GlobPatterns) {
  SkipList s = SkipList::parse("<alloc::* as core::*\n*::__rust_begin_short_backtrace*\n*\n");
  EXPECT_TRUE(s.matches("<alloc::vec::Vec<T,A> as core::ops::index::Index<I>>::index"));
  EXPECT_FALSE(s.matches("<alloc::vec::Vec<T> as mycrate::Store>::put"));
  EXPECT_TRUE(s.matches("std::sys_common::backtrace::__rust_begin_short_backtrace::h4d1a2b3c4d5e6f70"));
  EXPECT_FALSE(s.matches("main"));  // a lone "*" is ignored, not a way to skip everything
}

TEST(SkipList, BuiltinCoversRustAndQtMachinery) {
  const SkipList& s = SkipList::builtin();
  for (const char* f : {"rust_panic", "std::panicking::rust_panic_with_hook::h57071e38e2bc223f",
                        "_RNvNtCsjrHSEGnQ3l9_3std9panicking15panic_with_hook", "core::panicking::panic_fmt::h11223f0b8c31003a",
                        "QMessageLogger::fatal(char const*, ...) const", "qAbort()"}) {
    EXPECT_TRUE(s.matches(f)) << f;
  }
  EXPECT_FALSE(s.matches("rust_panic::pick::hebfaad7edcc286d4"));
}

Frame frame(std::string function, std::optional<std::uint64_t> sp = std::nullopt) {
  Frame f;
  f.function = std::move(function);
  f.sp = sp;
  return f;
}

TEST(RuntimeFatal, WhichRuntime) {
  ThreadReport rust;
  rust.frames = {frame("abort"), frame("_RNvCsfLfy6EI15iL_7___rustc10rust_panic"), frame("app::main::h0123456789abcdef")};
  EXPECT_TRUE(is_rust_panic(rust));
  EXPECT_FALSE(is_qt_fatal(rust));
  ThreadReport crate_named_rust_panic;  // a crate's name is not std's machinery
  crate_named_rust_panic.frames = {frame("abort"), frame("rust_panic::pick::hebfaad7edcc286d4")};
  EXPECT_FALSE(is_rust_panic(crate_named_rust_panic));
  ThreadReport qt;
  qt.frames = {frame("qAbort()"), frame("QMessageLogger::fatal(char const*, ...) const"), frame("load_settings")};
  EXPECT_TRUE(is_qt_fatal(qt));
  EXPECT_FALSE(is_rust_panic(qt));
}

class FakeSymbols final : public SymbolLookup {
 public:
  std::map<std::uint64_t, std::string> names;
  std::optional<std::uint64_t> address_of(std::string_view) const override { return std::nullopt; }
  std::optional<std::string> name_at(std::uint64_t addr) const override {
    auto it = names.find(addr);
    if (it == names.end()) return std::nullopt;
    return it->second;
  }
};

constexpr std::uint64_t kSp = 0x107000, kPayload = 0x107200, kVtable = 0x120000, kText = 0x130000;

struct PanicBench {
  testing::FakeMemory memory;
  FakeSymbols symbols;
  ThreadReport thread;
  PanicBench(const std::string& method) {
    thread.registers = {Register{"rsp", kSp}};
    thread.frames = {frame("abort"), frame("rust_panic"), frame("app::main", kSp + 0x1000)};
    memory.zero(kSp, 0x1000);
    memory.put64(kSp + 0x80, kPayload);  // the fat pointer &mut dyn PanicPayload: data, vtable
    memory.put64(kSp + 0x88, kVtable);
    memory.put64(kVtable + 24, 0x140000);
    memory.put64(kVtable + 32, 0x140100);
    memory.put64(kVtable + 40, 0x140200);
    symbols.names[0x140000] = method;
    memory.put_string(kText, "slot 7 requested");
  }
};

TEST(RuntimeFatal, RustFormattedPayloadInEitherFieldOrder) {
  for (bool cap_first : {false, true}) {
    PanicBench b("<std::panicking::begin_panic_handler::FormatStringPayload as core::panic::PanicPayload>::take_box");
    b.memory.put64(kPayload, kSp + 0x300);  // &fmt::Arguments
    b.memory.put64(kPayload + 8, cap_first ? 32 : kText);
    b.memory.put64(kPayload + 16, cap_first ? kText : 32);
    b.memory.put64(kPayload + 24, 16);
    auto m = find_rust_panic_message(b.thread, b.memory, b.symbols);
    ASSERT_TRUE(m.has_value());
    EXPECT_EQ(m->message, "slot 7 requested") << cap_first;
  }
}

TEST(RuntimeFatal, RustStaticStrPayload) {
  PanicBench b("_RNvXs_NtNtCsjrHSEGnQ3l9_3std9panicking13panic_handlerNtB4_16StaticStrPayloadNtNtCsgEmfK2I1SDS_4core5"
               "panic12PanicPayload8take_box");
  b.memory.put64(kPayload, kText);
  b.memory.put64(kPayload + 8, 4);
  auto m = find_rust_panic_message(b.thread, b.memory, b.symbols);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->message, "slot");
}

TEST(RuntimeFatal, RustNoPayloadSaysSo) {
  PanicBench b("something::else");
  auto m = find_rust_panic_message(b.thread, b.memory, b.symbols);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->message, "");
  EXPECT_FALSE(m->note.empty());
}

TEST(RuntimeFatal, RustBinaryBytesAreNotAMessage) {
  PanicBench b("<std::panicking::begin_panic_handler::StaticStrPayload as core::panic::PanicPayload>::take_box");
  b.memory.put(kText, {0x01, 0x02, 0xff, 0xfe});
  b.memory.put64(kPayload, kText);
  b.memory.put64(kPayload + 8, 4);
  auto m = find_rust_panic_message(b.thread, b.memory, b.symbols);
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->message, "");
}

}  // namespace
}  // namespace corelens
