// rust_panic: a Rust program built with -C panic=abort, whose panic aborts the process. (With
// the default panic=unwind, a panic in main ends the process with exit status 101 and leaves no
// core: panic=abort is how Rust programs that want cores are built.)
//
// What a debugger should show:
//   signal  SIGABRT (6), si_code SI_TKILL (-6): panic_abort's __rust_start_panic calls abort()
//   frames  #0 __pthread_kill_implementation (libc) ... raise, abort, then std's panic machinery
//           (rust_panic, rust_panic_with_hook or panic_with_hook, rust_begin_unwind,
//           core::panicking::panic_fmt), then rust_panic::pick (the crash-marker line),
//           rust_panic::main
//   stderr  "thread 'main' panicked at 'slot 7 requested but only 3 configured', rust_panic.rs:NN:9"
//           (Rust 1.63; newer releases put the location first and the message on the next line)
// corelens reads the message from the panic payload that std's machinery left on the stack.

struct Slots {
    items: Vec<u32>,
}

fn pick(slots: &Slots, index: usize) -> u32 {
    if index >= slots.items.len() {
        panic!("slot {} requested but only {} configured", index, slots.items.len()); // CRASH-SITE
    }
    slots.items[index]
}

fn main() {
    let slots = Slots { items: vec![1, 2, 3] };
    let index = std::env::args().count() + 6; // 7, but not a constant the compiler could fold
    println!("{}", pick(&slots, index)); // CALL-SITE pick
}
