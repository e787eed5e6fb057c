// Names as people write them. A demangler spells out every template argument the standard
// library defaults and every inline namespace it hides behind:
//
//   Parser::parse(std::__cxx11::basic_string<char, std::char_traits<char>, std::allocator<char> > const&, int&)
//
// which is what the program's source calls `Parser::parse(std::string const&, int&)`. These
// functions fold the standard library's defaults back (libstdc++'s and libc++'s spellings): its
// inline namespaces (__cxx11, __1), the string and stream typedefs, default allocators,
// comparators, hashers and deleters, and `> >`; everything else is left exactly as it was. The
// exact demangled name stays available to programs (the JSON keeps both).
//
// Pure text functions: no allocation beyond the result, bounded by the input's length, and safe on
// any input (a hostile symbol name, unbalanced brackets): what cannot be parsed is returned as it
// came.
#pragma once

#include <string>
#include <string_view>

namespace corelens {

// DEMANGLED with the standard library's defaults folded:
//   std::map<std::__cxx11::basic_string<char, ...>, int, std::less<...>, std::allocator<...> >
//   -> std::map<std::string, int>
std::string readable_name(std::string_view demangled);

// A function's name without its parameters, return type and qualifiers, for tables and
// one-line summaries: "int Parser::get<int>(std::map<int, std::string>&, int) const" ->
// "Parser::get<int>". Applies readable_name first. Names that are not functions come back as
// readable_name gives them.
std::string short_function_name(std::string_view demangled);

}  // namespace corelens
