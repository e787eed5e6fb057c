/* no_unwind_info: a crash in code that has no DWARF call frame information at all (no .eh_frame,
 * no .debug_frame for these functions), as in hand-written assembly, JIT code or binaries built
 * with -fno-asynchronous-unwind-tables. Built twice:
 *   no_unwind_info_fp    with frame pointers: an unwinder can follow the rbp chain;
 *   no_unwind_info_nofp  without them: only a stack scan for return addresses finds the callers.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0
 *   frames  #0 store_result  #1 compute  #2 main  (found by frame pointer, or by scanning)
 */
#include <stdio.h>

static volatile int sink;

__attribute__((noinline)) void store_result(int *out, int value)
{
    volatile int scratch[4] = {value, value + 1, value + 2, value + 3};
    *out = scratch[2];                  // CRASH-SITE
}

__attribute__((noinline)) int compute(int *out, int seed)
{
    volatile long locals[6] = {seed, seed * 2, seed * 3, seed * 4, seed * 5, seed * 6};
    store_result(out, (int)locals[seed % 6]); // CALL-SITE store_result
    return (int)locals[0];
}

int main(int argc, char **argv)
{
    (void)argv;
    int *out = argc > 100 ? (int *)&sink : NULL;
    printf("%d\n", compute(out, argc)); // CALL-SITE compute
    return 0;
}
