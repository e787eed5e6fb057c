// member_string: a member function taking standard library types by reference writes through a
// NULL pointer. Its demangled name is what a demangler spells out in full:
//   Parser::parse(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> >
//                 const&, std::map<std::__cxx11::basic_string<...>, int, std::less<...>, ...>&, unsigned long)
// and what its source calls Parser::parse(std::string const&, std::map<std::string, int>&, unsigned long).
//
// What a debugger should show:
//   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0
//   frames  #0 Parser::parse (the crash-marker line)   #1 Parser::parse_all   #2 main
#include <cstdio>
#include <map>
#include <string>
#include <vector>

class Parser {
public:
    int parse(const std::string &text, std::map<std::string, int> &fields, unsigned long limit);
    int parse_all(const std::vector<std::string> &lines);

private:
    int *counter_ = nullptr;            // never allocated
};

int Parser::parse(const std::string &text, std::map<std::string, int> &fields, unsigned long limit)
{
    if (text.size() > limit)
        return -1;
    fields[text] += 1;
    *counter_ += 1;                     // CRASH-SITE
    return static_cast<int>(fields.size());
}

int Parser::parse_all(const std::vector<std::string> &lines)
{
    std::map<std::string, int> fields;
    int n = 0;
    for (const std::string &line : lines)
        n += parse(line, fields, 80);   // CALL-SITE Parser::parse
    return n;
}

int main()
{
    Parser parser;
    std::printf("%d\n", parser.parse_all({"name=corelens", "kind=sample"})); // CALL-SITE Parser::parse_all
    return 0;
}
