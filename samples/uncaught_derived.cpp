// uncaught_derived: throws the program's own exception class, which derives from std::out_of_range
// (so from std::logic_error and std::exception) AND from another polymorphic class first, so the
// std::exception part does not start at the object's first byte. Nobody catches it.
//
// What a debugger should show:
//   signal  SIGABRT (6), si_code SI_TKILL (-6): __cxa_throw finds no handler, std::terminate aborts
//   frames  #0 __pthread_kill_implementation (libc) ... raise, abort,
//           __gnu_cxx::__verbose_terminate_handler, __cxxabiv1::__terminate, std::terminate,
//           __cxa_throw (libstdc++), then parse_token(char) (the crash-marker line), parse(), main
//   stderr  "terminate called after throwing an instance of 'ParseError'
//             what():  unexpected '}' at offset 17"
// corelens reads what() without running it: the type_info chain (__vmi_class_type_info) gives
// the offset of the std::logic_error base, whose what() ParseError does not override.
#include <cstdio>
#include <stdexcept>
#include <string>

struct SourceLocated {                  // polymorphic, and first: it takes offset 0
    virtual ~SourceLocated() = default;
    virtual int offset() const { return offset_; }
    int offset_ = 0;
};

class ParseError : public SourceLocated, public std::out_of_range {
public:
    ParseError(int at, const std::string &what) : std::out_of_range(what) { offset_ = at; }
};

void parse_token(char c, int at)
{
    if (c == '}')
        throw ParseError(at, "unexpected '" + std::string(1, c) + "' at offset " + std::to_string(at)); // CRASH-SITE
}

int parse(const char *text)
{
    int n = 0;
    for (int i = 0; text[i] != '\0'; ++i, ++n)
        parse_token(text[i], i);        // CALL-SITE parse_token
    return n;
}

int main()
{
    std::printf("%d\n", parse("{\"key\": [1, 2, 3]}}")); // CALL-SITE parse
    return 0;
}
