/* inlined_c: the C twin of inlined_o2.cpp, for the cross-architecture cores (Debian's cross
 * compilers come without C++ unless g++-<triple> is installed too). Built with -O2 -g: the
 * faulting load sits in extract_field, force-inlined into decode_record, inlined into
 * load_record, inlined into process_request (kept out of line). One pc, three inlined frames.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), fault address 0x0 (the record's field is NULL)
 *   frames  #0 extract_field   (inlined, on the crash-marker line)
 *           #1 decode_record   (inlined)  #2 load_record (inlined)
 *           #3 process_request (the real frame)   #0-#3 share one pc
 *           #4 main
 *
 * The record is reached through a volatile pointer, so the compiler cannot see that the field
 * is NULL and turn the load into a trap; the field points to volatile int so that the faulting
 * load stays a statement of its own (see inlined_o2.cpp).
 */
#include <stddef.h>
#include <stdio.h>

struct record {
    int id;
    const volatile int *field;
};

static inline __attribute__((always_inline)) int extract_field(const struct record *r)
{
    return *r->field;                   // CRASH-SITE
}

static inline __attribute__((always_inline)) int decode_record(const struct record *r)
{
    return extract_field(r) * 3 + r->id; // CALL-SITE extract_field
}

static inline __attribute__((always_inline)) int load_record(const struct record *r)
{
    return decode_record(r) ^ 0x5a;     // CALL-SITE decode_record
}

__attribute__((noinline, noclone)) int process_request(const struct record *r)
{
    return load_record(r) + 1;          // CALL-SITE load_record
}

static struct record broken_record = { 7, NULL };
static struct record *volatile current_record = &broken_record; /* opaque to the optimizer */

int main(void)
{
    printf("%d\n", process_request(current_record)); // CALL-SITE process_request
    return 0;
}
