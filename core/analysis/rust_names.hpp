// Rust symbol names as a person reads them, for skip lists, signatures and sentences.
//
// The symboliser demangles with the C++ demangler, which reads Rust's legacy mangling (it is
// Itanium-shaped) but leaves its hash and escapes: "std::panicking::begin_panic_handler::
// _$u7b$$u7b$closure$u7d$$u7d$::h7ff3a0ebbf1ba422". Rust's v0 mangling ("_RNvNtCs..._3std9
// panicking15panic_with_hook", what rustup's standard library uses since 2025) it does not read
// at all. Both become what rustc-demangle prints without hashes: "std::panicking::begin_panic_
// handler::{{closure}}", "std::panicking::panic_with_hook". The hash goes because it changes with
// the compiler and the crate's metadata, and a signature must not.
//
// v0 is decoded for paths (crates, modules, closures and shims, inherent and trait impls),
// generic arguments and the common types; anything else leaves the name as it was.
#pragma once

#include <string>
#include <string_view>

namespace corelens {

// NAME itself when it is not a Rust name (or not one this understands).
std::string rust_readable(std::string_view name);

}  // namespace corelens
