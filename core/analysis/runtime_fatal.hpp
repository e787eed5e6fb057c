// Fatal errors that runtimes other than glibc raise with abort(), and their messages, found in
// memory the way a person with a debugger would find them.
//
// Rust (rust-panic). A panic prints "thread 'main' panicked at src/x.rs:4:9: <message>" and, with
// panic=abort (or a panic while panicking, or in a function that cannot unwind), aborts. With
// panic=unwind a panic in main ends the process with exit status 101: no core at all. The
// message is in the panic payload, which std passes down its panic machinery as a `&mut dyn
// PanicPayload` (BoxMeUp before Rust 1.74); copies of that fat pointer (data, vtable) stay on
// the crashing thread's stack. The vtable's methods are named by symbol, which says the payload's
// type: std's StaticStrPayload / StrPanicPayload hold a &'static str (panic!("literal"),
// unwrap() on None), FormatStringPayload / begin_panic_handler::PanicPayload hold the formatted
// String that std fills before it runs the panic hook, begin_panic::Payload<A> an Option<A>.
// Rust does not fix the order of a struct's fields, so the String's (pointer, capacity, length)
// is recognised by value: a pointer to valid UTF-8 of that length with a capacity not below it.
// Checked with Debian's rustc 1.63 (legacy symbols, BoxMeUp) and rustc 1.95 (v0 symbols in std).
//
// Qt (qt-fatal). qFatal(fmt, ...) is QMessageLogger::fatal(const char*, ...): it formats the
// message into a QString, prints it, then qt_message_fatal() calls qAbort(). Qt 6.4 keeps no
// global with the message and, as qt_message_fatal ignores it, the optimiser drops the QString
// before the call: the formatted text is left unreferenced on the heap. What is still there is
// what it was made from: fatal() is variadic, so its va_list and the register save area holding
// the arguments are in its frame; and the format string is the constant the caller loaded into
// the argument register just before the call, read from the caller's code. corelens formats
// them again (printf conversions, as QString::vasprintf does). qt_assert (Q_ASSERT) reaches the
// same fatal(), so its "ASSERT: ..." message is recovered the same way. The stream form of Qt
// 6.5 (qFatal() << ...) has neither and gives the category without a message.
//
// Ownership: borrows everything for the call; returns values.
#pragma once

#include <optional>
#include <string>

#include "core/analysis/crash_analysis.hpp"
#include "core/analysis/disassembler.hpp"

namespace corelens {

struct FatalMessage {
  std::string message;  // empty when it could not be recovered
  std::string note;     // how it was found, or why it was not
};

// Frames of std's panic machinery (rust_panic, __rust_start_panic, rust_begin_unwind).
bool is_rust_panic(const ThreadReport& crashed);
std::optional<FatalMessage> find_rust_panic_message(const ThreadReport& crashed, const MemorySource& memory,
                                                    const SymbolLookup& symbols);

// QMessageLogger::fatal (qFatal, Q_ASSERT) on the stack.
bool is_qt_fatal(const ThreadReport& crashed);
std::optional<FatalMessage> find_qt_fatal_message(const ThreadReport& crashed, const MemorySource& memory,
                                                  const Disassembler& disassembler);

}  // namespace corelens
