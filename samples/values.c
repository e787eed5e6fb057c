/* values: a C program rich in values, for comparing every frame's arguments and locals with gdb.
 * Built three times (samples/CMakeLists.txt): gcc -O0 (values_c), gcc -O2 (values_c_o2) and
 * clang -O2 (clang_values_c_o2). At -O2 the compilers keep values in registers, describe them
 * with location lists, pieces and DW_OP_entry_value; at -O0 everything has a stack slot.
 *
 * main builds a chain of records (on the stack and on the heap) and walks it; inspect() then
 * reads r->next->id where r->next is NULL.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0 (r->next is NULL, id is its first member)
 *   frames  #0 inspect (the crash-marker line)   #1 walk   #2 summarize   #3 main
 *   gdb     in frame 1, `print count` is 3 and `print *head` shows the first record; at -O2,
 *           `seed` of summarize is `seed@entry=...` (from the caller's call site)
 */
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <wchar.h>

enum color { RED, GREEN = 5, BLUE };
enum perms { PERM_READ = 1, PERM_WRITE = 2, PERM_EXEC = 4 };  /* a flag enum: gdb prints A | B */

struct point {
    int x, y;
};

struct bits {
    unsigned ready : 1;
    unsigned mode : 3;
    signed level : 4;
    unsigned long long wide : 40;
};

union number {
    int i;
    float f;
    unsigned char bytes[4];
};

struct record {
    int id;
    const char *name;
    char tag[8];
    double weight;
    float ratio;
    enum color color;
    enum perms perms;
    struct bits bits;
    union number num;
    struct point where[2];
    bool active;
    char grade;
    signed char delta;
    unsigned char level;
    short small;
    unsigned short usmall;
    long long big;
    unsigned long long ubig;
    long double precise;
    int (*callback)(int);
    struct record *next;
};

struct inventory {
    int counts[6];
    char label[16];
    char long_text[240];
    wchar_t wide[4];
    struct point *origin;
    void *opaque;
    const int *empty;
};

struct inventory global_inventory = {
    .counts = { 3, 1, 4, 1, 5, 9 },
    .label = "stock\tlist\n",
    .wide = L"abc",
};
static struct point global_origin = { -7, 11 };
const char *global_greeting = "hello, \"world\"\\";
int global_counter = 42;
static volatile int sink;

static int triple(int v)
{
    return v * 3;
}

/* Keeps its argument alive for the optimizer without letting it see through it. */
__attribute__((noinline)) void consume(const void *p)
{
    sink += p != NULL;
    __asm__ volatile("" : : "r"(p) : "memory");
}

__attribute__((noinline)) int inspect(const struct record *r, enum color c, enum perms p)
{
    int local_sum = r->id + (int)c + (int)p;
    consume(&local_sum);
    return local_sum + r->next->id;     // CRASH-SITE
}

__attribute__((noinline)) int walk(struct record *head, int count, unsigned limit)
{
    struct record *cur = head;
    int seen = 0;
    while (cur->next != NULL && seen < count && (unsigned)seen < limit) {
        cur = cur->next;
        seen++;
    }
    consume(cur);
    return inspect(cur, cur->color, cur->perms) + seen;   // CALL-SITE inspect
}

__attribute__((noinline)) int summarize(struct record *first, int seed, double scale, char mark)
{
    int total = seed;
    for (struct record *r = first; r != NULL; r = r->next) total += r->id;
    consume(&total);
    int result = walk(first, total > 0 ? 3 : 2, 10) + (int)(scale * mark);   // CALL-SITE walk
    return result + seed;
}

static void fill(struct record *r, int id, const char *name, struct record *next)
{
    memset(r, 0, sizeof *r);
    r->id = id;
    r->name = name;
    snprintf(r->tag, sizeof r->tag, "t%d", id);
    r->weight = id * 1.5;
    r->ratio = 0.1f * (float)id;
    r->color = id % 2 ? GREEN : BLUE;
    r->perms = id % 2 ? PERM_READ | PERM_WRITE : PERM_EXEC;
    r->bits.ready = 1;
    r->bits.mode = (unsigned)id & 7;
    r->bits.level = -3;
    r->bits.wide = 0x123456789aULL;
    r->num.f = 2.5f;
    r->where[0].x = id;
    r->where[0].y = -id;
    r->where[1].x = 100 + id;
    r->where[1].y = 200;
    r->active = id % 2;
    r->grade = 'A' + (char)id;
    r->delta = (signed char)-id;
    r->level = 200;
    r->small = -12345;
    r->usmall = 54321;
    r->big = -1234567890123LL;
    r->ubig = 18446744073709551615ULL;
    r->precise = 1.25L;
    r->callback = triple;
    r->next = next;
}

int main(int argc, char **argv)
{
    (void)argv;
    struct record last;
    struct record *middle = malloc(sizeof *middle);
    struct record first;
    fill(&last, 3, "last", NULL);
    fill(middle, 2, "middle \x01 \xff", &last);
    fill(&first, 1, "first", middle);
    memset(global_inventory.long_text, 'x', sizeof global_inventory.long_text - 1);
    global_inventory.origin = &global_origin;
    global_inventory.opaque = &global_counter;
    char greeting[12] = "hi";
    char name_buffer[] = { 'n', 'u', 'l', '\0', 'l', 's' };
    int primes[20] = { 2, 3, 5, 7, 11, 13 };
    enum perms none = 0, all = PERM_READ | PERM_WRITE | PERM_EXEC, odd = (enum perms)(PERM_READ | 8);
    consume(greeting);
    consume(name_buffer);
    consume(primes);
    consume(&none);
    consume(&all);
    consume(&odd);
    consume(&global_inventory);
    consume(global_greeting);
    int result = summarize(&first, argc + 40, 0.5, 'm');   // CALL-SITE summarize
    printf("%d\n", result);
    free(middle);
    return 0;
}
