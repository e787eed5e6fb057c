// values_cxx: a C++ program rich in values: the standard containers developers look at (as
// libstdc++ 12 lays them out), references, classes with bases, enum classes. Built three times
// (samples/CMakeLists.txt): g++ -O0 (values_cxx), g++ -O2 (values_cxx_o2) and clang++ -O2
// (clang_values_cxx_o2), for comparing every frame's arguments and locals with gdb and its
// libstdc++ pretty-printers.
//
// main fills an Inventory and a Catalog, then Catalog::check follows a Shelf pointer that is NULL.
//
// What a debugger should show:
//   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x8 (&((Shelf *)0)->capacity)
//   frames  #0 Catalog::check (the crash-marker line)   #1 audit   #2 main
//   gdb     `print names` in frame 1 is std::vector of length 3, capacity 4 = {"ant", ...}
#include <array>
#include <cstdio>
#include <list>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <unordered_set>
#include <vector>

enum class Mode : unsigned char { idle, busy = 4, broken };

struct Point {
    int x = 0;
    int y = 0;
};

struct Shelf {
    long id = 0;
    int capacity = 0;
};

struct Named {
    virtual ~Named() = default;
    std::string name;
};

struct Counted {
    int count = 0;
};

class Catalog : public Named, public Counted {
  public:
    Mode mode = Mode::busy;
    Shelf *shelf = nullptr;
    const std::string *title = nullptr;
    __attribute__((noinline)) int check(const Point &where, int bias);
};

static volatile int sink;

__attribute__((noinline)) void consume(const void *p)
{
    sink = sink + (p != nullptr);
    __asm__ volatile("" : : "r"(p) : "memory");
}

int Catalog::check(const Point &where, int bias)
{
    int local = where.x + bias + count;
    consume(&local);
    return local + shelf->capacity;     // CRASH-SITE
}

struct Inventory {
    std::string short_name{"ant"};
    std::string long_name{"a name well past the fifteen bytes of the small-string buffer"};
    std::string_view view{"viewed"};
    std::vector<int> numbers{1, 2, 3};
    std::vector<std::string> names{"ant", "bee", "cat"};
    std::vector<bool> flags{true, false, true};
    std::array<int, 3> triple{{7, 8, 9}};
    std::unique_ptr<Point> unique{new Point{1, 2}};
    std::unique_ptr<Point> unique_empty;
    std::shared_ptr<Point> shared{std::make_shared<Point>(Point{3, 4})};
    std::weak_ptr<Point> weak{shared};
    std::optional<int> maybe{5};
    std::optional<std::string> nothing;
    std::map<std::string, int> ages{{"ann", 31}, {"bob", 42}};
    std::set<int> primes{2, 3, 5, 7};
    std::multimap<int, char> letters{{1, 'a'}, {1, 'b'}, {2, 'c'}};
    std::multiset<int> repeated{4, 4, 1};
    std::unordered_map<int, std::string> by_id{{1, "one"}};
    std::unordered_set<int> seen{9};
    std::list<int> queue{10, 20, 30};
    std::map<int, int> empty_map;
};

__attribute__((noinline)) int audit(Catalog &catalog, const Inventory &inventory, Mode mode)
{
    Point where{static_cast<int>(inventory.numbers.size()), -1};
    const std::vector<std::string> &names = inventory.names;
    consume(&where);
    consume(&names);
    return catalog.check(where, static_cast<int>(mode)) + static_cast<int>(names.size());  // CALL-SITE Catalog::check
}

int main(int argc, char **)
{
    Inventory inventory;
    inventory.names.reserve(4);
    std::shared_ptr<Point> second = inventory.shared;
    Catalog catalog;
    catalog.name = "main catalog";
    catalog.count = argc + 2;
    catalog.title = &inventory.long_name;
    Mode mode = argc > 5 ? Mode::idle : Mode::broken;
    consume(&inventory);
    consume(&second);
    consume(&catalog);
    int result = audit(catalog, inventory, mode);   // CALL-SITE audit
    std::printf("%d\n", result);
    return 0;
}
