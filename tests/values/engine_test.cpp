// The values engine's public API on real sample cores: expressions as gdb's `print` evaluates
// them (compared with gdb on the same core, at -O0 and -O2), the variable that holds an address,
// children loaded lazily, and the reasons values are missing.
#include <gtest/gtest.h>
#include <unistd.h>
#include <sys/wait.h>

#include <cstdio>
#include <map>
#include <regex>

#include "unwinder/pipeline/user_session.hpp"
#include "unwinder/values/engine.hpp"

namespace corelens::values::testing {
namespace {

std::string core_of(const std::string& sample) { return std::string(CORELENS_CORES_DIR) + "/auto/" + sample + ".core"; }
std::string exe_of(const std::string& sample) { return std::string(CORELENS_CORES_DIR) + "/auto/" + sample + ".exe"; }

std::string run(const std::string& command) {
  std::string out;
  FILE* p = popen(command.c_str(), "r");
  if (p == nullptr) return out;
  char buf[4096];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out.append(buf, n);
  pclose(p);
  return out;
}

struct Opened {
  std::shared_ptr<const Session> session;
  std::unique_ptr<ValueEngine> engine;
};

Opened& open_sample(const std::string& sample) {
  static std::map<std::string, Opened> cache;
  auto it = cache.find(sample);
  if (it != cache.end()) return it->second;
  AnalyzeOptions options;
  options.locator.debug_dirs = {"/usr/lib/debug"};
  auto s = open_session(core_of(sample), options);
  Opened o;
  if (!s) {
    ADD_FAILURE() << sample << ": " << s.error().describe();
  } else {
    o.session = *s;
    const auto* user = dynamic_cast<const UserSession*>(o.session.get());
    if (user == nullptr) ADD_FAILURE() << sample << ": not a user core";
    else o.engine = std::make_unique<ValueEngine>(user->report(), user->memory(), &user->dump());
  }
  return cache.emplace(sample, std::move(o)).first->second;
}

// The report frame of the crashed thread whose function starts with NAME.
std::size_t frame_named(const Report& r, const std::string& name) {
  const auto& frames = r.threads.front().frames;
  for (std::size_t i = 0; i < frames.size(); ++i) {
    if (frames[i].function.rfind(name, 0) == 0) return i;
  }
  ADD_FAILURE() << "no frame " << name;
  return 0;
}

// What gdb's `print` shows for each of EXPRS in the frame of FUNCTION (empty: gdb's frame 0),
// without "$1 = " and the "(type) " gdb puts before a top-level pointer. One gdb run for them all.
std::vector<std::string> gdb_print(const std::string& sample, const std::string& function,
                                   const std::vector<std::string>& exprs) {
  std::string script = "set pagination off\nset width 0\nset backtrace past-main on\n";
  if (!function.empty()) {
    script += "python\nf = gdb.newest_frame()\nwhile f is not None and f.name() != '" + function +
              "': f = f.older()\nf.select()\nend\n";
  }
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    script += "echo @@" + std::to_string(i) + "\\n\nprint " + exprs[i] + "\n";
  }
  // One script per process: ctest runs the samples' cases side by side, and a shared name let one
  // overwrite another's script before its gdb read it (gdb then printed the other frame's values).
  std::string path = std::string(::testing::TempDir()) + "/print-" + std::to_string(::getpid()) + "-" + sample + ".gdb";
  FILE* f = std::fopen(path.c_str(), "w");
  std::fputs(script.c_str(), f);
  std::fclose(f);
  std::string out = run("LC_ALL=C gdb -batch -nx -x '" + path + "' '" + exe_of(sample) + "' '" + core_of(sample) +
                        "' 2>&1");
  std::remove(path.c_str());
  std::vector<std::string> values(exprs.size());
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    std::string marker = "@@" + std::to_string(i) + "\n";
    auto at = out.find(marker);
    if (at == std::string::npos) continue;
    auto end_of = out.find('\n', at + marker.size());
    std::string line = out.substr(at + marker.size(), end_of == std::string::npos ? std::string::npos : end_of - at - marker.size());
    auto eq = line.find(" = ");
    if (line.rfind("$", 0) != 0 || eq == std::string::npos) {
      values[i] = "gdb: " + line;
      continue;
    }
    std::string v = line.substr(eq + 3);
    // "(struct record *) 0x...": the type gdb prints before a top-level pointer.
    if (!v.empty() && v.front() == '(') {
      int depth = 0;
      for (std::size_t k = 0; k < v.size(); ++k) {
        if (v[k] == '(') ++depth;
        if (v[k] == ')' && --depth == 0) {
          if (k + 2 < v.size() && v[k + 1] == ' ' && v.compare(k + 2, 2, "0x") == 0) v = v.substr(k + 2);
          break;
        }
      }
    }
    values[i] = v;
  }
  return values;
}

// What gdb says to each of EXPRS in the frame of FUNCTION, one `print` each (a script stops at
// its first error; -ex commands go on): "$1 = ..." lines or gdb's error messages.
std::vector<std::string> gdb_messages(const std::string& sample, const std::string& function,
                                      const std::vector<std::string>& exprs) {
  std::string command = "LC_ALL=C gdb -batch -nx -ex 'set width 0' -ex 'frame function " + function + "'";
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    command += " -ex 'echo @@" + std::to_string(i) + "\\n' -ex 'print " + exprs[i] + "'";
  }
  std::string out = run(command + " '" + exe_of(sample) + "' '" + core_of(sample) + "' 2>&1");
  std::vector<std::string> messages(exprs.size());
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    std::string marker = "@@" + std::to_string(i) + "\n";
    auto at = out.find(marker);
    if (at == std::string::npos) continue;
    at += marker.size();
    messages[i] = out.substr(at, out.find('\n', at) - at);
  }
  return messages;
}

class ValuesEngine : public ::testing::TestWithParam<std::string> {};

TEST_P(ValuesEngine, ExpressionsAsGdbPrintsThem) {
  const std::string sample = GetParam();
  Opened& o = open_sample(sample);
  ASSERT_TRUE(o.engine);
  const Report& r = o.session->report();
  FormatOptions options = o.engine->default_options();
  struct Case {
    const char* function;
    const char* expr;
  };
  const Case cases[] = {
      {"inspect", "r->id"},           {"inspect", "r->name"},         {"inspect", "r->tag"},
      {"inspect", "*r"},              {"inspect", "r->where[1]"},     {"inspect", "r->bits.level"},
      {"inspect", "r->num.bytes[3]"}, {"inspect", "&r->weight"},      {"inspect", "r->callback"},
      {"inspect", "(long)r->perms"},  {"inspect", "r->id * 3 + 1"},   {"summarize", "first->next->name"},
      {"summarize", "*first->next"},  {"summarize", "seed"},          {"summarize", "scale"},
      {"main", "global_inventory.counts"}, {"main", "global_inventory.counts[2]"}, {"main", "global_greeting"},
      {"main", "global_inventory.label"}, {"main", "*global_inventory.origin"}, {"main", "global_inventory.wide"},
      {"main", "sizeof(struct record)"}, {"main", "primes[5]"},       {"main", "first.next->next->id"},
  };
  int compared = 0;
  std::map<std::string, std::vector<const Case*>> by_function;
  for (const Case& c : cases) by_function[c.function].push_back(&c);
  for (const auto& [function, list] : by_function) {
    std::vector<std::string> exprs;
    for (const Case* c : list) exprs.push_back(c->expr);
    std::vector<std::string> gdb = gdb_print(sample, function, exprs);
    for (std::size_t i = 0; i < list.size(); ++i) {
      const Case& c = *list[i];
      std::size_t frame = frame_named(r, c.function);
      auto ours = o.engine->evaluate(0, frame, c.expr, options);
      const std::string& theirs = gdb[i];
      if (theirs == "<optimized out>") {
        EXPECT_TRUE(!ours || !ours->unavailable.empty()) << c.expr << ": gdb says optimized out";
        continue;
      }
      ASSERT_TRUE(ours.has_value()) << c.function << ": " << c.expr << ": " << ours.error().message << " (gdb: " << theirs
                                    << ")";
      // A caller-saved register in a caller frame: gdb takes the callee's value (a guess that
      // happens to hold here); corelens says it does not know. compare_values.py's rule.
      if (ours->unavailable.rfind("register not recovered", 0) == 0 && frame > 0) continue;
      EXPECT_EQ(ours->value, theirs) << c.function << ": " << c.expr << " (" << ours->unavailable << ")";
      ++compared;
    }
  }
  EXPECT_GT(compared, 15);
}

TEST_P(ValuesEngine, TheVariableThatHoldsAnAddress) {
  Opened& o = open_sample(GetParam());
  ASSERT_TRUE(o.engine);
  const Report& r = o.session->report();
  FormatOptions options = o.engine->default_options();
  std::size_t frame = frame_named(r, "inspect");
  auto addr = o.engine->evaluate(0, frame, "&r->where[1].y", options);
  ASSERT_TRUE(addr.has_value()) << addr.error().message;
  std::uint64_t a = std::stoull(addr->value, nullptr, 16);
  auto name = o.engine->name_address(0, frame, a);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->expression, "r->where[1].y");
  EXPECT_EQ(name->offset, 0u);
  // A byte inside a member: the member, and how far in.
  auto inside = o.engine->name_address(0, frame, a + 2);
  ASSERT_TRUE(inside.has_value());
  EXPECT_EQ(inside->expression, "r->where[1].y");
  EXPECT_EQ(inside->offset, 2u);
  // A global, from any frame.
  auto g = o.engine->evaluate(0, frame, "&global_inventory.counts[4]", options);
  ASSERT_TRUE(g.has_value()) << g.error().message;
  auto gname = o.engine->name_address(0, frame, std::stoull(g->value, nullptr, 16));
  ASSERT_TRUE(gname.has_value());
  EXPECT_EQ(gname->expression, "global_inventory.counts[4]");
}

TEST_P(ValuesEngine, ChildrenLoadLazily) {
  Opened& o = open_sample(GetParam());
  ASSERT_TRUE(o.engine);
  FormatOptions options = o.engine->default_options();
  options.depth = 0;
  auto vars = o.engine->frame_variables(0, frame_named(o.session->report(), "walk"), options);
  ASSERT_TRUE(vars.has_value()) << vars.error().message;
  const ValueNode* head = nullptr;
  for (const auto& a : vars->arguments) {
    if (a.name == "head") head = &a;
  }
  ASSERT_NE(head, nullptr);
  EXPECT_TRUE(head->children.empty());
  ASSERT_TRUE(head->has_children);
  EXPECT_EQ(head->kind, ValueNode::Kind::pointer);
  options.depth = 2;  // the children, and theirs
  auto kids = o.engine->children(head->handle, head->name, options);
  ASSERT_EQ(kids.size(), 1u);
  EXPECT_EQ(kids[0].name, "*head");
  ASSERT_FALSE(kids[0].children.empty());
  EXPECT_EQ(kids[0].children[0].name, "id");
  EXPECT_EQ(kids[0].children[0].value, "1");
}

TEST_P(ValuesEngine, ErrorsNameWhatIsWrong) {
  Opened& o = open_sample(GetParam());
  ASSERT_TRUE(o.engine);
  FormatOptions options = o.engine->default_options();
  std::size_t frame = frame_named(o.session->report(), "inspect");
  auto missing = o.engine->evaluate(0, frame, "no_such_name", options);
  ASSERT_FALSE(missing.has_value());
  EXPECT_EQ(missing.error().message, "No symbol \"no_such_name\" in current context.");
  auto null = o.engine->evaluate(0, frame, "r->next->id", options);
  ASSERT_TRUE(null.has_value());
  EXPECT_EQ(null->unavailable, "cannot access memory at 0x0");
  EXPECT_FALSE(o.engine->frame_variables(99, 0, options).has_value());
  EXPECT_FALSE(o.engine->frame_variables(0, 9999, options).has_value());
}

// Heap objects side by side (values_iterators: main's `one` and `two` are two single Parts that
// glibc put one after the other, `many` ten ints): an address inside *two, seen from a frame that
// holds both pointers, is two->weight, not "one[4].weight" (which the engine said when it indexed
// any pointer into what followed its object); an element of the malloc'd array is many[7],
// because the allocation's chunk header says it holds ten ints.
TEST(ValuesEngineHeap, APointerToOneObjectIsNotIndexed) {
  Opened& o = open_sample("values_iterators");
  ASSERT_TRUE(o.engine);
  FormatOptions options = o.engine->default_options();
  std::size_t frame = frame_named(o.session->report(), "visit");
  auto address_of = [&](const std::string& expr) -> std::uint64_t {
    auto a = o.engine->evaluate(0, frame, expr, options);
    EXPECT_TRUE(a.has_value()) << expr << ": " << a.error().message;
    return a ? std::stoull(a->value, nullptr, 16) : 0;
  };
  std::uint64_t one = address_of("one"), two = address_of("&two->weight");
  ASSERT_GT(two, one) << "the sample's second Part is no longer after the first: the case this test is for is gone";
  ASSERT_LT(two - one, 256u);
  auto name = o.engine->name_address(0, frame, two);
  ASSERT_TRUE(name.has_value());
  EXPECT_EQ(name->expression, "two->weight");
  EXPECT_EQ(name->offset, 0u);
  auto inside = o.engine->name_address(0, frame, address_of("&one->weight") + 1);
  ASSERT_TRUE(inside.has_value());
  EXPECT_EQ(inside->expression, "one->weight");
  EXPECT_EQ(inside->offset, 1u);
  auto element = o.engine->name_address(0, frame, address_of("&many[7]"));
  ASSERT_TRUE(element.has_value());
  EXPECT_EQ(element->expression, "many[7]");
}

// Globals from every frame, as gdb's `print` finds them: hang_abba's main thread waits in libc,
// whose frames see the program's statics (gdb looks in every objfile; corelens looked only in the
// frame's module and said "No symbol"), and _start, from crt1.o without DWARF, sees them too (it
// said "no DWARF debug information for this frame"). gdb prints them at its frame 0; a global's
// value is the same from every frame.
TEST(ValuesEngineGlobals, EveryFrameSeesEveryModulesGlobals) {
  Opened& o = open_sample("hang_abba");
  ASSERT_TRUE(o.engine);
  const Report& r = o.session->report();
  FormatOptions options = o.engine->default_options();
  const std::vector<std::string> exprs = {"lock_a", "lock_b.__data.__owner", "worker_tid[1]", "&lock_b"};
  std::vector<std::string> gdb = gdb_print("hang_abba", "", exprs);
  const auto& frames = r.threads.front().frames;
  bool in_libc = false, without_dwarf = false;
  for (std::size_t f = 0; f < frames.size(); ++f) {
    in_libc |= frames[f].module.find("libc.so") != std::string::npos;
    without_dwarf |= !frames[f].inlined && frames[f].file.empty();
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      auto ours = o.engine->evaluate(0, f, exprs[i], options);
      ASSERT_TRUE(ours.has_value()) << "#" << f << " " << frames[f].function << ": " << exprs[i] << ": "
                                    << ours.error().message << " (gdb: " << gdb[i] << ")";
      std::string ours_value = ours->value, theirs = gdb[i];
      if (exprs[i].front() == '&') {  // gdb adds " <lock_b>" after the address
        ours_value = ours_value.substr(0, ours_value.find(' '));
        theirs = theirs.substr(0, theirs.find(' '));
      }
      EXPECT_EQ(ours_value, theirs) << "#" << f << " " << frames[f].function << ": " << exprs[i];
    }
  }
  EXPECT_TRUE(in_libc) << "no frame in libc: the case this test is for is gone";
  EXPECT_TRUE(without_dwarf) << "no frame without DWARF: the case this test is for is gone";
}

// A class whose only fields are its base class's (std::mutex, over std::__mutex_base): gdb prints
// the bases, then ", <No data fields>"; corelens left that out. hang_ring's three std::mutex,
// one at a time and as the array, compared with gdb's `print` on the same core.
TEST(ValuesEngineClasses, NoDataFieldsAfterTheBasesAsGdbPrintsThem) {
  Opened& o = open_sample("hang_ring");
  ASSERT_TRUE(o.engine);
  FormatOptions options = o.engine->default_options();
  const std::vector<std::string> exprs = {"ring[0]", "ring"};
  std::vector<std::string> gdb = gdb_print("hang_ring", "", exprs);
  for (std::size_t i = 0; i < exprs.size(); ++i) {
    auto ours = o.engine->evaluate(0, 0, exprs[i], options);
    ASSERT_TRUE(ours.has_value()) << exprs[i] << ": " << ours.error().message << " (gdb: " << gdb[i] << ")";
    EXPECT_EQ(ours->value, gdb[i]) << exprs[i];
    EXPECT_NE(ours->value.find("<std::__mutex_base> = {"), std::string::npos) << exprs[i] << ": " << ours->value;
    EXPECT_NE(ours->value.find("}, <No data fields>}"), std::string::npos) << exprs[i] << ": " << ours->value;
  }
}

// C++ static members and scoped names (values_static, in DWARF 5 and DWARF 4): a class's value
// with its statics (an int, constants, a std::string and a struct printed field by field, a
// pointer to the class, a static of the class's own type that gdb cuts short), the statics by
// `obj.name` and `Class::name`, namespaces' globals, and gdb's errors for names that do not
// exist: each compared with gdb's `print` on the same core.
class ValuesEngineStatics : public ::testing::TestWithParam<std::string> {};

TEST_P(ValuesEngineStatics, ScopedNamesAsGdbPrintsThem) {
  const std::string sample = GetParam();
  Opened& o = open_sample(sample);
  ASSERT_TRUE(o.engine);
  const Report& r = o.session->report();
  FormatOptions options = o.engine->default_options();
  const std::map<std::string, std::vector<std::string>> cases = {
      {"main",
       {"reg", "*singleton", "counters", "reg.instances", "reg.kSerial", "reg.label", "Registry::instances",
        "Registry::kCapacity", "Registry::kLimit", "Registry::inline_count", "Registry::label", "Registry::totals",
        "Registry::fallback", "Registry::fallback.id", "Registry::self", "Registry::self->name", "&Registry::instances",
        "Counters::created", "geo::origin_count", "geo::detail::scale", "geo::bounds", "geo::bounds.high",
        "local_limits"}},
      // In a member function the object's members are names in scope, statics too, as in gdb.
      {"Registry::record",
       {"*this", "this->kSerial", "this->fallback.name", "weight", "id", "name", "kLimit", "kSerial", "label",
        "fallback.id", "instances", "id + weight"}},
  };
  int compared = 0;
  for (const auto& [function, exprs] : cases) {
    std::vector<std::string> gdb = gdb_print(sample, function, exprs);
    std::size_t frame = frame_named(r, function);
    for (std::size_t i = 0; i < exprs.size(); ++i) {
      auto ours = o.engine->evaluate(0, frame, exprs[i], options);
      ASSERT_TRUE(ours.has_value()) << exprs[i] << ": " << ours.error().message << " (gdb: " << gdb[i] << ")";
      EXPECT_EQ(ours->value, gdb[i]) << function << ": " << exprs[i] << " (" << ours->unavailable << ")";
      ++compared;
    }
  }
  EXPECT_EQ(compared, 35);
  // Names that are not there: gdb's words.
  const std::vector<std::string> missing = {"geo::nothing", "geo::detail::nothing", "Registry::nothing", "nothing::x",
                                            "reg.nothing", "geo::nope::x"};
  std::vector<std::string> gdb = gdb_messages(sample, "main", missing);
  for (std::size_t i = 0; i < missing.size(); ++i) {
    auto ours = o.engine->evaluate(0, frame_named(r, "main"), missing[i], options);
    ASSERT_FALSE(ours.has_value()) << missing[i] << ": " << ours->value << " (gdb: " << gdb[i] << ")";
    EXPECT_EQ(ours.error().message, gdb[i]) << missing[i];
  }
  // A name that is neither the object's member nor a global, inside the member function.
  std::vector<std::string> in_method = gdb_messages(sample, "Registry::record", {"nothing"});
  auto nothing = o.engine->evaluate(0, frame_named(r, "Registry::record"), "nothing", options);
  ASSERT_FALSE(nothing.has_value()) << nothing->value;
  EXPECT_EQ(nothing.error().message, in_method.at(0));
  // From every frame, libc's and _start's too: scoped names are found in every module, as gdb does.
  const std::vector<std::string> everywhere = {"geo::detail::scale", "Registry::label", "Registry::totals"};
  std::vector<std::string> at_main = gdb_print(sample, "main", everywhere);
  bool in_libc = false;
  for (std::size_t f = 0; f < r.threads.front().frames.size(); ++f) {
    in_libc |= r.threads.front().frames[f].module.find("libc.so") != std::string::npos;
    for (std::size_t i = 0; i < everywhere.size(); ++i) {
      auto ours = o.engine->evaluate(0, f, everywhere[i], options);
      ASSERT_TRUE(ours.has_value()) << "#" << f << " " << everywhere[i] << ": " << ours.error().message;
      EXPECT_EQ(ours->value, at_main[i]) << "#" << f << " " << everywhere[i];
    }
  }
  EXPECT_TRUE(in_libc) << "no frame in libc: the case this test is for is gone";
  // The members tree: statics under their own names, with the class's values.
  options.depth = 2;
  auto reg = o.engine->evaluate(0, frame_named(r, "main"), "reg", options);
  ASSERT_TRUE(reg.has_value());
  std::vector<std::string> names;
  for (const auto& c : reg->children) names.push_back(c.name);
  EXPECT_EQ(names, (std::vector<std::string>{"instances", "kCapacity", "kSerial", "kLimit", "inline_count", "label",
                                             "totals", "self", "fallback", "id", "name"}));
  ASSERT_EQ(reg->children.size(), names.size());
  EXPECT_EQ(reg->children[5].value, "\"registry\"");  // the static's own node: the printer applies
  EXPECT_EQ(reg->children[8].children.size(), names.size());
}

INSTANTIATE_TEST_SUITE_P(Samples, ValuesEngineStatics, ::testing::Values("values_static", "values_static_dwarf4"),
                         [](const auto& p) { return p.param; });

INSTANTIATE_TEST_SUITE_P(Samples, ValuesEngine, ::testing::Values("values_c", "values_c_o2", "clang_values_c_o2"),
                         [](const auto& p) { return p.param; });

}  // namespace
}  // namespace corelens::values::testing
