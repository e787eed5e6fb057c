// rust_values: a Rust program rich in values (issue 14): &str, String, Vec, Option, an enum with
// data, a char, a tuple. Built like rust_panic (-C opt-level=0 -C panic=abort), it panics in
// `inspect`, so the core shows every frame's arguments and locals for tests/values to compare
// with gdb (whose Rust support prints enums, &str and chars itself).
//
// What a debugger should show:
//   signal  SIGABRT (6), si_code SI_TKILL (-6): panic_abort calls abort()
//   frames  libc's abort path, std's panic machinery, rust_values::inspect (the crash-marker
//           line), rust_values::main
//   gdb     in inspect, `print label` is "shelf" and `print shape` is
//           rust_values::Shape::Square(4)

#[derive(Debug)]
#[allow(dead_code)] // the fields are for the debugger to read
enum Shape {
    Circle { radius: f64 },
    Square(u32),
    Empty,
}

struct Shelf {
    label: &'static str,
    owner: String,
    items: Vec<String>,
    counts: Vec<u32>,
    limit: Option<u32>,
    spare: Option<Box<u32>>,
    shape: Shape,
    initial: char,
    pair: (i16, bool),
}

#[inline(never)]
fn inspect(shelf: &Shelf, wanted: usize) -> u32 {
    let label = shelf.label;
    let first: Option<&String> = shelf.items.first();
    let missing: Option<u32> = None;
    let shape = Shape::Square(4);
    let round = Shape::Circle { radius: 1.5 };
    let nothing = Shape::Empty;
    if wanted >= shelf.counts.len() {
        panic!("{} has no item {} ({:?} {:?} {:?} {:?} {:?})", label, wanted, first, missing, shape, round, nothing); // CRASH-SITE
    }
    shelf.counts[wanted]
}

fn main() {
    let shelf = Shelf {
        label: "shelf",
        owner: String::from("Ada"),
        items: vec![String::from("ant"), String::from("bee")],
        counts: vec![3, 1, 4],
        limit: Some(7),
        spare: None,
        shape: Shape::Circle { radius: 2.5 },
        initial: 'R',
        pair: (-5, true),
    };
    let wanted = std::env::args().count() + 8; // 9, but not a constant the compiler could fold
    println!("{} {} {:?} {:?} {:?} {} {:?}", shelf.owner, inspect(&shelf, wanted), shelf.limit, shelf.spare, shelf.shape, shelf.initial, shelf.pair); // CALL-SITE inspect
}
