// report_to_json and report_to_text on hand-built Reports (every field known) and on the report
// of a synthetic core: documented keys, addresses as "0x..." strings, hostile strings, recursion.
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <regex>

#include "core/report/json_report.hpp"
#include "core/report/text_report.hpp"
#include "tests/unit/unit_support.hpp"

namespace corelens::unit {
namespace {

using Json = nlohmann::json;

bool contains(const std::string& hay, const std::string& needle) { return hay.find(needle) != std::string::npos; }

Frame frame(std::uint32_t index, std::uint64_t pc, const std::string& function) {
  Frame f;
  f.index = index;
  f.pc = pc;
  f.lookup_pc = index == 0 ? pc : pc - 1;
  f.sp = 0x7ffc0000f000 + 16 * index;
  f.trust = index == 0 ? FrameTrust::context : FrameTrust::cfi;
  f.function = function;
  return f;
}

Report sample_report() {
  Report r;
  r.dump_path = "/tmp/crashy.core";
  r.dump_kind = "user-core";
  r.producer = "kernel";
  r.arch = "x86_64";
  r.process.executable = "/usr/bin/crashy";
  r.process.command_line = "./crashy --boom";
  r.process.name = "crashy";
  r.process.pid = 4242;
  r.process.ppid = 1;
  r.process.uid = 1000;
  SignalReport s;
  s.number = 11;
  s.name = "SIGSEGV";
  s.description = "Segmentation fault";
  s.code = 1;
  s.code_name = "SEGV_MAPERR";
  s.code_description = "address not mapped to object";
  s.address = 0xffffffffffffffffull;  // beyond 2^53: only a string keeps it exact
  r.signal = s;
  r.crashed_tid = 4242;

  ThreadReport t;
  t.tid = 4242;
  t.crashed = true;
  t.registers = {{"rip", 0x401136}, {"rsp", 0x7ffc0000f000}};
  Frame f0 = frame(0, 0x401136, "crash");
  f0.function_offset = 6;
  f0.module = "/usr/bin/crashy";
  f0.module_offset = 0x1136;
  f0.file = "crash.c";
  f0.line = 12;
  f0.column = 5;
  Frame f1 = frame(1, 0x401200, "inlined_helper");
  f1.inlined = true;
  Frame f2 = frame(2, 0x7f0000001234, "");
  f2.trust = FrameTrust::scan;
  f2.registers = {{"rbx", 0x1234}};
  t.frames = {f0, f1, f2};
  t.unwind = UnwindStatus::done();
  ThreadReport t2;
  t2.tid = 4243;
  t2.name = "worker";
  t2.unwind = UnwindStatus::stopped(StopReason::missing_memory, "memory at 0x7ffc0000e000 is not in the dump");
  r.threads = {t, t2};

  r.mappings = {{0x400000, 0x401000, "r--p", "/usr/bin/crashy", 0, 0x1000},
                {0x7ffc0000e000, 0x7ffc00010000, "rw-p", "", 0, 0x2000}};
  ModuleReport m;
  m.path = "/usr/lib/bad-\xff\xfe-utf8.so";  // hostile bytes from NT_FILE
  m.start = 0x7f0000000000;
  m.end = 0x7f0000003000;
  m.load_bias = 0x7f0000000000;
  m.build_id = "0102030405060708090a0b0c0d0e0f1011121314";
  m.symbols = SymbolSource::mismatch;
  m.symbols_note = "rebuilt since the crash?";
  r.modules = {m};
  r.notes = {{"CORE", 1, "NT_PRSTATUS", 0x200, 336}, {"ACME", 0x1234, "", 0x400, 5}};
  r.auxv = {{9, 0x401020}};
  r.diagnostics = {{Severity::warning, "core-truncated", "cut \xc3\x28 here", 0x1000},
                   {Severity::info, "no-siginfo", "informational", std::nullopt}};
  return r;
}

Json parse_json(const std::string& text) {
  Json j = Json::parse(text, nullptr, false);
  EXPECT_FALSE(j.is_discarded()) << text.substr(0, 400);
  return j;
}

TEST(ReportJson, ParsesBackWithTheDocumentedKeys) {
  Json j = parse_json(report_to_json(sample_report()));
  ASSERT_TRUE(j.is_object());
  EXPECT_EQ(j["schema_version"], kReportSchemaVersion);
  EXPECT_EQ(j["dump"]["producer"], "kernel");
  EXPECT_EQ(j["process"]["pid"], 4242);
  EXPECT_EQ(j["process"]["command_line"], "./crashy --boom");
  EXPECT_TRUE(j["process"]["gid"].is_null());
  const Json& sig = j["signal"];
  EXPECT_EQ(sig["number"], 11);
  EXPECT_EQ(sig["name"], "SIGSEGV");
  EXPECT_EQ(sig["code"], 1);
  EXPECT_EQ(sig["code_name"], "SEGV_MAPERR");
  EXPECT_EQ(sig["address"], "0xffffffffffffffff");
  EXPECT_TRUE(sig["sender_pid"].is_null());
  EXPECT_EQ(j["crashed_thread"], 4242);
  ASSERT_EQ(j["threads"].size(), 2u);
  const Json& t = j["threads"][0];
  EXPECT_EQ(t["tid"], 4242);
  EXPECT_TRUE(t["name"].is_null());
  EXPECT_EQ(t["crashed"], true);
  EXPECT_EQ(t["registers"]["rip"], "0x401136");
  EXPECT_EQ(t["registers"]["rsp"], "0x7ffc0000f000");
  ASSERT_EQ(t["frames"].size(), 3u);
  const Json& f0 = t["frames"][0];
  EXPECT_EQ(f0["index"], 0);
  EXPECT_EQ(f0["pc"], "0x401136");
  EXPECT_EQ(f0["function"], "crash");
  EXPECT_EQ(f0["module"], "/usr/bin/crashy");
  EXPECT_EQ(f0["module_offset"], "0x1136");
  EXPECT_EQ(f0["file"], "crash.c");
  EXPECT_EQ(f0["line"], 12);
  EXPECT_EQ(f0["column"], 5);
  EXPECT_EQ(f0["inlined"], false);
  EXPECT_EQ(f0["trust"], "context");
  const Json& f1 = t["frames"][1];
  EXPECT_EQ(f1["inlined"], true);
  EXPECT_EQ(f1["trust"], "inlined");
  const Json& f2 = t["frames"][2];
  EXPECT_TRUE(f2["function"].is_null());
  EXPECT_TRUE(f2["module"].is_null());
  EXPECT_TRUE(f2["module_offset"].is_null());
  EXPECT_TRUE(f2["file"].is_null());
  EXPECT_TRUE(f2["line"].is_null());
  EXPECT_EQ(f2["trust"], "scan");
  EXPECT_EQ(j["threads"][1]["name"], "worker");
  EXPECT_EQ(j["threads"][1]["crashed"], false);
  ASSERT_EQ(j["mappings"].size(), 2u);
  EXPECT_EQ(j["mappings"][0]["perms"], "r--p");
  EXPECT_EQ(j["mappings"][0]["start"], "0x400000");
  EXPECT_TRUE(j["mappings"][1]["path"].is_null());
  ASSERT_EQ(j["modules"].size(), 1u);
  EXPECT_EQ(j["modules"][0]["build_id"], "0102030405060708090a0b0c0d0e0f1011121314");
  EXPECT_EQ(j["modules"][0]["symbols"]["source"], "mismatch");
  EXPECT_EQ(j["notes"][1]["type"], 0x1234);
  EXPECT_TRUE(j["notes"][1]["type_name"].is_null());
  ASSERT_EQ(j["diagnostics"].size(), 2u);
  EXPECT_EQ(j["diagnostics"][0]["code"], "core-truncated");
  EXPECT_EQ(j["diagnostics"][0]["severity"], "warning");
  EXPECT_EQ(j["diagnostics"][0]["where"], "0x1000");
  EXPECT_TRUE(j["diagnostics"][1]["where"].is_null());
}

TEST(ReportJson, InvalidUtf8IsReplacedNotThrown) {
  std::string text;
  ASSERT_NO_THROW(text = report_to_json(sample_report()));
  Json j = parse_json(text);
  const std::string path = j["modules"][0]["path"];
  EXPECT_TRUE(contains(path, "/usr/lib/bad-")) << path;
  EXPECT_TRUE(contains(path, "\xef\xbf\xbd")) << "U+FFFD in place of the bad bytes";
  EXPECT_TRUE(contains(j["diagnostics"][0]["message"].get<std::string>(), "\xef\xbf\xbd"));
}

TEST(ReportJson, CompactAndWithoutSignal) {
  Report r = sample_report();
  r.signal.reset();
  r.crashed_tid.reset();
  std::string compact = report_to_json(r, -1);
  EXPECT_EQ(compact.find('\n'), std::string::npos);
  Json j = parse_json(compact);
  EXPECT_TRUE(j["signal"].is_null());
  EXPECT_TRUE(j["crashed_thread"].is_null());
  Report empty;
  Json e = parse_json(report_to_json(empty));
  EXPECT_TRUE(e["threads"].is_array());
  EXPECT_TRUE(e["threads"].empty());
  EXPECT_TRUE(e["modules"].is_array());
}

// Every key the published schema requires, at every level we can reach.
void expect_required(const Json& schema_node, const Json& value, const std::string& where) {
  if (!value.is_object()) return;
  if (schema_node.contains("required")) {
    for (const auto& key : schema_node["required"]) {
      EXPECT_TRUE(value.contains(key.get<std::string>())) << where << " lacks \"" << key.get<std::string>() << "\"";
    }
  }
}

void check_against_schema(const Json& report) {
  std::ifstream in(CORELENS_REPORT_SCHEMA);
  ASSERT_TRUE(in.good()) << CORELENS_REPORT_SCHEMA;
  Json schema = Json::parse(in);
  expect_required(schema, report, "report");
  const Json& props = schema["properties"];
  const Json& defs = schema["$defs"];
  for (const char* key : {"dump", "process"}) expect_required(props[key], report[key], key);
  if (!report["signal"].is_null()) {
    for (const auto& alt : props["signal"]["oneOf"]) expect_required(alt, report["signal"], "signal");
  }
  for (const char* key : {"mappings", "modules", "notes", "auxv", "diagnostics"}) {
    for (const auto& item : report[key]) expect_required(props[key]["items"], item, key);
  }
  for (const auto& m : report["modules"]) expect_required(props["modules"]["items"]["properties"]["symbols"], m["symbols"], "symbols");
  for (const auto& t : report["threads"]) {
    expect_required(defs["thread"], t, "thread");
    expect_required(defs["thread"]["properties"]["unwind"], t["unwind"], "unwind");
    for (const auto& f : t["frames"]) expect_required(defs["frame"], f, "frame");
  }
}

// Every string that holds an address is lower-case "0x..." hex.
void check_hex_fields(const Json& j) {
  static const std::regex hex_re("^0x[0-9a-f]+$");
  auto is_hex = [&](const Json& v, const std::string& what) {
    if (v.is_null()) return;
    ASSERT_TRUE(v.is_string()) << what;
    EXPECT_TRUE(std::regex_match(v.get<std::string>(), hex_re)) << what << " = " << v;
  };
  if (!j["signal"].is_null()) is_hex(j["signal"]["address"], "signal.address");
  for (const auto& t : j["threads"]) {
    for (const auto& [name, v] : t["registers"].items()) is_hex(v, "register " + name);
    for (const auto& f : t["frames"]) {
      for (const char* k : {"pc", "lookup_pc", "sp", "module_offset", "function_offset"}) is_hex(f[k], k);
    }
  }
  for (const auto& m : j["mappings"]) {
    for (const char* k : {"start", "end", "file_offset"}) is_hex(m[k], k);
  }
  for (const auto& m : j["modules"]) {
    for (const char* k : {"start", "end", "load_bias"}) is_hex(m[k], k);
  }
  for (const auto& n : j["notes"]) is_hex(n["offset"], "note offset");
  for (const auto& a : j["auxv"]) is_hex(a["value"], "auxv value");
  for (const auto& d : j["diagnostics"]) is_hex(d["where"], "diagnostic where");
}

TEST(ReportJson, HandBuiltReportHasEveryKeyTheSchemaRequires) {
  Json j = parse_json(report_to_json(sample_report()));
  check_against_schema(j);
  check_hex_fields(j);
}

class ReportOfASyntheticCore : public WithTempDir {};

TEST_F(ReportOfASyntheticCore, JsonHasEveryKeyTheSchemaRequires) {
  auto r = analyze(canonical_core().build().bytes);
  ASSERT_TRUE(r.has_value()) << r.error().message;
  Json j = parse_json(report_to_json(*r));
  check_against_schema(j);
  check_hex_fields(j);
  EXPECT_EQ(j["signal"]["address"], "0xdeadbeef");
  EXPECT_EQ(j["crashed_thread"], canon::kPid);
  EXPECT_EQ(j["threads"][0]["registers"]["rip"], "0x401136");
  EXPECT_EQ(j["threads"][0]["frames"][0]["pc"], "0x401136");
  EXPECT_EQ(j["dump"]["producer"], "kernel");
  EXPECT_EQ(j["threads"].size(), 3u);
}

// ------------------------------------------------------------------ text

std::size_t count(const std::string& hay, const std::string& needle) {
  std::size_t n = 0;
  for (auto pos = hay.find(needle); pos != std::string::npos; pos = hay.find(needle, pos + 1)) ++n;
  return n;
}

Report recursion_report(std::size_t depth) {
  Report r = sample_report();
  ThreadReport& t = r.threads[0];
  t.frames.clear();
  t.frames.push_back(frame(0, 0x401000, "crash"));
  for (std::size_t i = 0; i < depth; ++i) {
    Frame f = frame(static_cast<std::uint32_t>(i + 1), 0x401234, "recurse");
    f.file = "r.c";
    f.line = 7;
    t.frames.push_back(f);
  }
  t.frames.push_back(frame(static_cast<std::uint32_t>(depth + 1), 0x401500, "main"));
  return r;
}

TEST(ReportText, ThousandIdenticalRecursiveFramesCollapseToOneLine) {
  std::string text = report_to_text(recursion_report(1000));
  EXPECT_TRUE(contains(text, "\u00d7 998 more frames")) << text.substr(0, 2000);
  EXPECT_TRUE(contains(text, "recurse \u00d7 998 more frames (r.c:7)")) << text.substr(0, 2000);
  EXPECT_EQ(count(text, " in recurse"), 2u) << "the first and the last frame of the run";
  EXPECT_TRUE(contains(text, "#1 "));
  EXPECT_TRUE(contains(text, "#1000 "));
  EXPECT_EQ(count(text, "more frames"), 1u);
  EXPECT_TRUE(contains(text, " in main"));
  EXPECT_TRUE(contains(text, " in crash"));
}

TEST(ReportText, LargeRunsUseThousandsSeparatorsAndShortRunsStay) {
  EXPECT_TRUE(contains(report_to_text(recursion_report(10002)), "\u00d7 10,000 more frames"));
  std::string short_run = report_to_text(recursion_report(3));
  EXPECT_EQ(count(short_run, " in recurse"), 3u);
  EXPECT_EQ(count(short_run, "more frames"), 0u);
  TextOptions all;
  all.collapse_recursion = false;
  EXPECT_EQ(count(report_to_text(recursion_report(1000), all), " in recurse"), 1000u);
}

TEST(ReportText, FrameLineNamesEverythingKnown) {
  Report r = sample_report();
  const std::string line = frame_to_text(r.threads[0].frames[0]);
  EXPECT_EQ(line.rfind("#0 ", 0), 0u) << line;
  EXPECT_TRUE(contains(line, "0x0000000000401136")) << line;
  EXPECT_TRUE(contains(line, "in crash +0x6")) << line;
  EXPECT_TRUE(contains(line, "at crash.c:12:5")) << line;
  EXPECT_TRUE(contains(line, "[crashy +0x1136]")) << line;
  EXPECT_TRUE(contains(line, "(context)")) << line;
  const std::string unknown = frame_to_text(r.threads[0].frames[2]);
  EXPECT_TRUE(contains(unknown, "in ??")) << unknown;
  EXPECT_TRUE(contains(unknown, "(scan)")) << unknown;
  const std::string inl = frame_to_text(r.threads[0].frames[1]);
  EXPECT_TRUE(contains(inl, "[inlined] inlined_helper")) << inl;
  // On a 32-bit dump the pc has 8 digits, as gdb and eu-stack print it there, and an inlined
  // call's blank column is as wide.
  const std::string narrow = frame_to_text(r.threads[0].frames[0], false, nullptr, address_digits("i386"));
  EXPECT_TRUE(contains(narrow, "#0   0x00401136 in crash")) << narrow;
  const std::string narrow_inl = frame_to_text(r.threads[0].frames[1], false, nullptr, address_digits("arm"));
  EXPECT_TRUE(contains(narrow_inl, "#1" + std::string(3 + 10 + 1, ' ') + "[inlined]")) << narrow_inl;
  EXPECT_EQ(address_digits("x86_64"), 16);
  EXPECT_EQ(address_digits(""), 16);
}

TEST(ReportText, SignalSummaryAndTheWholeReport) {
  Report r = sample_report();
  EXPECT_EQ(signal_summary(*r.signal), "SIGSEGV (Segmentation fault), SEGV_MAPERR: address not mapped to object");
  SignalReport kill;
  kill.number = 6;
  kill.name = "SIGABRT";
  kill.description = "Aborted";
  kill.code = -6;
  kill.code_name = "SI_TKILL";
  kill.code_description = "sent by tkill or tgkill";
  kill.sender_pid = 4242;
  kill.sender_uid = 1000;
  EXPECT_EQ(signal_summary(kill), "SIGABRT (Aborted), SI_TKILL: sent by tkill or tgkill from pid 4242 (uid 1000)");

  std::string text;
  ASSERT_NO_THROW(text = report_to_text(r));
  EXPECT_TRUE(contains(text, "Address   0xffffffffffffffff")) << text;
  EXPECT_TRUE(contains(text, "Crashed   thread 4242 (2 threads in all)")) << text;
  EXPECT_TRUE(contains(text, "Thread 4243 \"worker\":")) << text;
  EXPECT_TRUE(contains(text, "(stack incomplete: memory at 0x7ffc0000e000 is not in the dump)")) << text;
  EXPECT_TRUE(contains(text, "[core-truncated]")) << text;
  EXPECT_FALSE(contains(text, "[no-siginfo]")) << "info diagnostics are not shown";
  EXPECT_TRUE(contains(text, "Modules without symbols:")) << text;
}

}  // namespace
}  // namespace corelens::unit
