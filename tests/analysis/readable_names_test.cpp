// Readable names: real demangled names (from the sample cores, from libstdc++.so.6's own dynamic
// symbols, and from a C++ file of std types compiled with g++ 12 and read back with `nm -C`),
// each with the form a person writes. A second test compiles such a file at test time, so the
// table's inputs are checked against what this machine's compiler and demangler really produce.
#include "core/analysis/readable_names.hpp"

#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <string>
#include <utility>
#include <vector>

#include "core/report/json_report.hpp"
#include "core/report/text_report.hpp"
#include "tests/integration/samples.hpp"

namespace corelens {
namespace {

struct Case {
  const char* demangled;
  const char* readable;
  const char* short_name;
};

const Case kCases[] = {
    // The sample issue's member function (the window opened 1,800 pixels wide for it).
    {"Parser::parse(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&, int&, unsigned long)",
     "Parser::parse(std::string const&, int&, unsigned long)", "Parser::parse"},
    // libstdc++'s own symbols.
    {"std::logic_error::logic_error(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&)",
     "std::logic_error::logic_error(std::string const&)", "std::logic_error::logic_error"},
    {"std::basic_string<wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t> >::find_last_of(wchar_t const*, unsigned long) const",
     "std::wstring::find_last_of(wchar_t const*, unsigned long) const", "std::wstring::find_last_of"},
    {"std::basic_istream<wchar_t, std::char_traits<wchar_t> >& std::operator>><wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t> >"
     "(std::basic_istream<wchar_t, std::char_traits<wchar_t> >&, std::basic_string<wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t> >&)",
     "std::wistream& std::operator>><wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t>>(std::wistream&, std::wstring&)",
     "std::operator>><wchar_t, std::char_traits<wchar_t>, std::allocator<wchar_t>>"},
    // Containers, smart pointers, functions.
    {"f1(std::unordered_map<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, std::vector<int, std::allocator<int> >, "
     "std::hash<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > >, std::equal_to<std::__cxx11::basic_string<char, "
     "std::char_traits<char>, std::allocator<char> > >, std::allocator<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, "
     "std::allocator<char> > const, std::vector<int, std::allocator<int> > > > >&)",
     "f1(std::unordered_map<std::string, std::vector<int>>&)", "f1"},
    {"f2(std::unique_ptr<Parser, std::default_delete<Parser> >&, std::shared_ptr<Parser>, std::weak_ptr<Parser>)",
     "f2(std::unique_ptr<Parser>&, std::shared_ptr<Parser>, std::weak_ptr<Parser>)", "f2"},
    {"f3(std::function<int (std::basic_string_view<char, std::char_traits<char> >)>)", "f3(std::function<int (std::string_view)>)", "f3"},
    {"f4(std::set<std::pair<int, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > >, std::less<std::pair<int, "
     "std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > >, std::allocator<std::pair<int, std::__cxx11::basic_string<char, "
     "std::char_traits<char>, std::allocator<char> > > > >&, std::__cxx11::list<std::deque<long, std::allocator<long> >, std::allocator<std::deque<long, "
     "std::allocator<long> > > >&)",
     "f4(std::set<std::pair<int, std::string>>&, std::list<std::deque<long>>&)", "f4"},
    {"f6(std::__cxx11::basic_ostringstream<char, std::char_traits<char>, std::allocator<char> >&, std::__cxx11::basic_string<wchar_t, "
     "std::char_traits<wchar_t>, std::allocator<wchar_t> >&, std::__cxx11::basic_string<char16_t, std::char_traits<char16_t>, std::allocator<char16_t> >&)",
     "f6(std::ostringstream&, std::wstring&, std::u16string&)", "f6"},
    {"f7(std::unordered_set<int, std::hash<int>, std::equal_to<int>, std::allocator<int> >&, std::multimap<int, int, std::less<int>, "
     "std::allocator<std::pair<int const, int> > >&, std::optional<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > >)",
     "f7(std::unordered_set<int>&, std::multimap<int, int>&, std::optional<std::string>)", "f7"},
    {"f8(std::priority_queue<int, std::vector<int, std::allocator<int> >, std::less<int> >&, std::queue<int, std::deque<int, std::allocator<int> > >&, "
     "std::vector<std::unique_ptr<Parser, std::default_delete<Parser> >, std::allocator<std::unique_ptr<Parser, std::default_delete<Parser> > > >&)",
     "f8(std::priority_queue<int>&, std::queue<int>&, std::vector<std::unique_ptr<Parser>>&)", "f8"},
    // Templates of templates, a template member function with its return type.
    {"int Parser::get<int>(std::map<int, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, std::less<int>, "
     "std::allocator<std::pair<int const, std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > > >&, int)",
     "int Parser::get<int>(std::map<int, std::string>&, int)", "Parser::get<int>"},
    {"f5(std::map<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, std::map<int, std::vector<std::__cxx11::basic_string<char, "
     "std::char_traits<char>, std::allocator<char> >, std::allocator<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > >, "
     "std::less<int>, std::allocator<std::pair<int const, std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, "
     "std::allocator<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > > > > >, std::less<std::__cxx11::basic_string<char, "
     "std::char_traits<char>, std::allocator<char> > >, std::allocator<std::pair<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > "
     "const, std::map<int, std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, std::allocator<std::__cxx11::basic_string<"
     "char, std::char_traits<char>, std::allocator<char> > > >, std::less<int>, std::allocator<std::pair<int const, std::vector<std::__cxx11::basic_string<char, "
     "std::char_traits<char>, std::allocator<char> >, std::allocator<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > > > > > > > >&)",
     "f5(std::map<std::string, std::map<int, std::vector<std::string>>>&)", "f5"},
    // Lambdas, operators, anonymous namespaces.
    {"call()::{lambda(std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >, std::allocator<std::__cxx11::basic_string<"
     "char, std::char_traits<char>, std::allocator<char> > > > const&)#1}::operator()(std::vector<std::__cxx11::basic_string<char, std::char_traits<char>, "
     "std::allocator<char> >, std::allocator<std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > > > const&) const",
     "call()::{lambda(std::vector<std::string> const&)#1}::operator()(std::vector<std::string> const&) const",
     "call()::{lambda(std::vector<std::string> const&)#1}::operator()"},
    {"std::unique_ptr<Parser, std::default_delete<Parser> >::operator bool() const", "std::unique_ptr<Parser>::operator bool() const",
     "std::unique_ptr<Parser>::operator bool"},
    {"operator<<(std::ostream&, Parser const&)", "operator<<(std::ostream&, Parser const&)", "operator<<"},
    {"Parser::operator<(Parser const&) const", "Parser::operator<(Parser const&) const", "Parser::operator<"},
    {"(anonymous namespace)::anon(std::vector<(anonymous namespace)::Hidden, std::allocator<(anonymous namespace)::Hidden> > const&)",
     "(anonymous namespace)::anon(std::vector<(anonymous namespace)::Hidden> const&)", "(anonymous namespace)::anon"},
    // The sample cores' C++ frames and exception types.
    {"std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >::_M_replace_cold(char*, unsigned long, char const*, unsigned long, unsigned long)",
     "std::string::_M_replace_cold(char*, unsigned long, char const*, unsigned long, unsigned long)", "std::string::_M_replace_cold"},
    {"std::runtime_error", "std::runtime_error", "std::runtime_error"},
    {"main", "main", "main"},
    {"__libc_start_call_main", "__libc_start_call_main", "__libc_start_call_main"},
    // Left alone: what is not the standard library's, and what does not parse.
    {"Matrix<double, 3, std::allocator<double> >::at(int)", "Matrix<double, 3, std::allocator<double>>::at(int)", "Matrix<double, 3, std::allocator<double>>::at"},
    {"std::vector<int, MyAlloc<int> >::push_back(int const&)", "std::vector<int, MyAlloc<int>>::push_back(int const&)", "std::vector<int, MyAlloc<int>>::push_back"},
    {"<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop", "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop",
     "<alloc::vec::Vec<T,A> as core::ops::drop::Drop>::drop"},
    {"broken<std::vector<int, std::allocator<int> >(int", "broken<std::vector<int, std::allocator<int> >(int", "broken<std::vector<int, std::allocator<int> >(int"},
    {"", "", ""},
};

TEST(ReadableNames, TableOfRealNames) {
  for (const Case& c : kCases) {
    SCOPED_TRACE(c.demangled);
    EXPECT_EQ(readable_name(c.demangled), c.readable);
    EXPECT_EQ(short_function_name(c.demangled), c.short_name);
  }
}

TEST(ReadableNames, HostileNamesCostOnePassAndComeBackWhole) {
  std::string deep;
  for (int i = 0; i < 10000; ++i) deep += "std::vector<";
  deep += "int";
  for (int i = 0; i < 10000; ++i) deep += ", std::allocator<int> >";
  std::string r = readable_name(deep);  // past the depth limit: as it came, and fast
  EXPECT_FALSE(r.empty());
  std::string brackets(100000, '<');
  EXPECT_EQ(readable_name(brackets), brackets);
  EXPECT_EQ(readable_name(std::string(100000, '>')), std::string(100000, '>'));
  EXPECT_EQ(short_function_name("((((("), "(((((");
}

// The table's inputs are what g++ and the demangler on this machine produce: a file using the
// same types is compiled, its symbols demangled by `nm -C`, and each is folded as the table says.
TEST(ReadableNames, TheCompilersOwnSpellingsFold) {
  namespace fs = std::filesystem;
  fs::path dir = fs::temp_directory_path() / ("corelens-names-" + std::to_string(::getpid()));
  fs::create_directories(dir);
  std::ofstream(dir / "n.cpp") << R"(#include <map>
#include <memory>
#include <string>
#include <unordered_map>
#include <vector>
struct Parser { int parse(const std::string& s, int& n, unsigned long k); };
int Parser::parse(const std::string& s, int& n, unsigned long k) { return (int)s.size() + n + (int)k; }
int f1(std::unordered_map<std::string, std::vector<int>>& m) { return (int)m.size(); }
int f2(std::unique_ptr<Parser>& p, std::shared_ptr<Parser> q, std::weak_ptr<Parser> w) { return p ? 1 : 0; }
)";
  int status = 0;
  testing::run_command("g++ -std=c++20 -c -o '" + (dir / "n.o").string() + "' '" + (dir / "n.cpp").string() + "'", &status);
  ASSERT_EQ(status, 0) << "g++ is needed to make the names";
  std::string symbols = testing::run_command("nm -C '" + (dir / "n.o").string() + "'", &status);
  ASSERT_EQ(status, 0);
  fs::remove_all(dir);
  for (const Case& c : {kCases[0], kCases[4], kCases[5]}) {
    EXPECT_NE(symbols.find(c.demangled), std::string::npos) << "nm -C no longer writes " << c.demangled << "\n" << symbols;
  }
}

// A real core: a C++ member function of std types crashes. Every frame reads as its source is
// written; the exact demangled name, kept in function_exact, is the one `nm -C` gives the symbol
// the frame is in; the JSON carries both, the text report only the readable one.
TEST(ReadableNames, TheSampleReadsAsItsSourceIsWritten) {
  for (const char* method : {"auto", "gcore"}) {
    SCOPED_TRACE(method);
    const Report& r = testing::sample_report(method, "member_string");
    ASSERT_FALSE(r.threads.empty());
    const std::vector<Frame>& frames = r.threads.front().frames;
    ASSERT_GE(frames.size(), 3u);
    const Frame& top = frames[0];
    EXPECT_EQ(top.function, "Parser::parse(std::string const&, std::map<std::string, int>&, unsigned long)");
    int status = 0;
    std::string symbols = testing::run_command("nm -C --defined-only '" + testing::exe_path(method, "member_string") + "'", &status);
    ASSERT_EQ(status, 0) << "nm (binutils) is needed";
    ASSERT_FALSE(top.function_exact.empty());
    EXPECT_NE(symbols.find(" " + top.function_exact + "\n"), std::string::npos) << top.function_exact << "\n" << symbols;
    EXPECT_NE(top.function_exact.find("std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >"),
              std::string::npos);
    EXPECT_EQ(frames[1].function, "Parser::parse_all(std::vector<std::string> const&)");
    EXPECT_NE(symbols.find(" " + frames[1].function_exact + "\n"), std::string::npos) << frames[1].function_exact;
    EXPECT_EQ(frames[2].function, "main");
    EXPECT_TRUE(frames[2].function_exact.empty());  // nothing to fold: no second copy

    ASSERT_TRUE(r.analysis.has_value());
    EXPECT_EQ(r.analysis->signature.readable,
              "null-pointer-read | member_string!Parser::parse | member_string!Parser::parse_all | member_string!main");
    EXPECT_EQ(r.analysis->signature.frames.front(), "member_string!" + top.function_exact);

    std::string text = report_to_text(r);
    EXPECT_NE(text.find("Parser::parse(std::string const&, std::map<std::string, int>&, unsigned long)"), std::string::npos);
    EXPECT_EQ(text.find("__cxx11"), std::string::npos) << text;
    std::string json = report_to_json(r);
    EXPECT_NE(json.find("\"function_exact\""), std::string::npos);
  }
}

}  // namespace
}  // namespace corelens
