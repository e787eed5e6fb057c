// values_iterators: the iterators of libstdc++ 12's containers live in a crashing program's
// frames, and heap objects next to each other. Built by g++ -O0 (samples/CMakeLists.txt):
// tests/values compares every frame's arguments and locals with gdb and its libstdc++ printers,
// which print an iterator as the element it points to; and asks the values engine which variable
// holds an address on the heap (engine_test), where a pointer to ONE object must not be indexed
// into its neighbours.
//
// main allocates two single Parts (one after the other on the heap) and an array of ints, fills
// the containers, then visit() takes an iterator of each and weigh() reads a NULL Part.
//
// What a debugger should show:
//   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x4 (&((Part *)0)->weight)
//   frames  #0 weigh (the crash-marker line)   #1 visit   #2 main
//   gdb     in frame 1, `print at` is 20 (numbers[1]), `print letter` is 111 'o', `print entry`
//           {first = 2, second = "two"}, `print member` 7, `print part` {id = 2, weight = 20},
//           `print none` non-dereferenceable iterator for std::vector
#include <cstdio>
#include <cstdlib>
#include <list>
#include <map>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

struct Part {
    int id = 0;
    int weight = 0;
};

static volatile int sink;

__attribute__((noinline)) void consume(const void *p)
{
    sink = sink + (p != nullptr);
    __asm__ volatile("" : : "r"(p) : "memory");
}

__attribute__((noinline)) int weigh(const Part *part, int bias)
{
    int base = bias * 2;
    consume(&base);
    return base + part->weight;     // CRASH-SITE
}

__attribute__((noinline)) int visit(std::vector<int> &numbers, std::string &word, std::map<int, std::string> &names,
                                    const std::set<int> &primes, std::list<Part> &parts,
                                    std::unordered_map<int, int> &counts, Part *one, Part *two, int *many)
{
    std::vector<int>::iterator at = numbers.begin() + 1;
    std::vector<int>::const_iterator last = numbers.cend() - 1;
    std::vector<int> empty;
    std::vector<int>::iterator none = empty.begin();
    std::string::iterator letter = word.begin() + 1;
    std::map<int, std::string>::iterator entry = names.find(2);
    std::map<int, std::string>::const_iterator first_entry = names.cbegin();
    std::set<int>::const_iterator member = primes.find(7);
    std::list<Part>::iterator part = std::next(parts.begin());
    std::list<Part>::const_iterator front = parts.cbegin();
    std::unordered_map<int, int>::iterator count = counts.find(3);
    Part *missing = nullptr;
    int total = *at + *last + *letter + entry->first + *member + part->weight + front->id + count->second + one->id +
                two->id + many[7];
    consume(&at);
    consume(&last);
    consume(&none);
    consume(&letter);
    consume(&entry);
    consume(&first_entry);
    consume(&member);
    consume(&part);
    consume(&front);
    consume(&count);
    return weigh(missing, total);   // CALL-SITE weigh
}

int main(int argc, char **)
{
    // Two single objects first, while the heap is fresh: glibc puts the second right after the
    // first, so an address inside *two is a few Parts past one (not an element of it).
    Part *one = new Part{1, 10};
    Part *two = new Part{2, 20};
    int *many = static_cast<int *>(std::malloc(10 * sizeof(int)));
    for (int i = 0; i < 10; ++i) many[i] = i * i;
    std::vector<int> numbers{10, 20, 30, 40};
    std::string word = "word of more than fifteen bytes";
    std::map<int, std::string> names{{1, "one"}, {2, "two"}, {3, "three"}};
    std::set<int> primes{2, 3, 5, 7, 11};
    std::list<Part> parts{{1, 10}, {2, 20}, {3, 30}};
    std::unordered_map<int, int> counts{{3, 9}};
    int result = visit(numbers, word, names, primes, parts, counts, one, two, many) + argc;  // CALL-SITE visit
    std::printf("%d\n", result);
    delete one;
    delete two;
    std::free(many);
    return 0;
}
