// values_static: C++ static data members and namespaced globals, as a debugger shows them. Built
// twice (samples/CMakeLists.txt): g++ -O0 with gcc 12's DWARF 5, where a static member is a
// DW_TAG_variable inside its class (values_static), and with -gdwarf-4, where it is a
// DW_TAG_member with DW_AT_external (values_static_dwarf4); tests/values compares every frame's
// values and `print` of the scoped names with gdb.
//
// main fills a Registry, then Registry::record reads through a NULL pointer.
//
// What a debugger should show:
//   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0
//   frames  #0 Registry::record (the crash-marker line)   #1 main
//   gdb     `print reg` in main = {static instances = 2, static kCapacity = 8, ..., static
//           fallback = {..., static fallback = <same as static member of an already seen type>,
//           id = 0, name = 0x0}, id = 4, name = 0x... "main registry"}
//           `print geo::detail::scale` = 1000, `print Registry::label` = "registry"
#include <cstdio>
#include <string>

namespace geo {
int origin_count = 3;
namespace detail {
long scale = 1000;
}
struct Limits {
    int low;
    int high;
};
Limits bounds{-5, 5};
}  // namespace geo

struct Tally {
    int hits = 0;
    int misses = 0;
};

class Registry {
  public:
    static int instances;
    static const int kCapacity = 8;     // only a DWARF constant: never defined
    static const long kSerial;
    static constexpr int kLimit = 12;
    static inline int inline_count = 5;
    static std::string label;           // gdb prints a static's fields itself: no printer
    static Tally totals;
    static Registry *self;              // a singleton's pointer to its own type
    static Registry fallback;           // a static member of its own type
    int id = 0;
    const char *name = nullptr;
    __attribute__((noinline)) int record(int weight);
};
int Registry::instances = 2;
const long Registry::kSerial = 4242;
std::string Registry::label{"registry"};
Tally Registry::totals{7, 1};
Registry Registry::fallback;
Registry *Registry::self = &Registry::fallback;

struct Counters {  // static members only
    static int created;
};
int Counters::created = 1;

static volatile int sink;

int Registry::record(int weight)
{
    int *nowhere = nullptr;
    sink = weight + id + kLimit + inline_count;
    return *nowhere + instances;   // CRASH-SITE
}

int main()
{
    Registry reg;
    reg.id = 4;
    reg.name = "main registry";
    Counters counters;
    geo::Limits local_limits = geo::bounds;
    Registry *singleton = Registry::self;
    (void)counters;
    std::printf("%d %d %ld %d\n", local_limits.low, singleton->id, geo::detail::scale, geo::origin_count);
    return reg.record(3);   // CALL-SITE Registry::record
}
