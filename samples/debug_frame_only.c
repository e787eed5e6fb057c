/* debug_frame_only: code whose only call frame information is .debug_frame (built with -g
 * -fno-asynchronous-unwind-tables -fomit-frame-pointer -O1: no .eh_frame, no frame pointers), and
 * a stale return address left in the crashing function's own frame.
 *
 * Unwinders that read .debug_frame (libdwfl, gdb) unwind it with CFI. One that reads only
 * .eh_frame (Debian's x86_64 libunwind is built without .debug_frame support) has to scan the
 * stack, and the first return address a scan meets is the stale one: `corelens analyze
 * --unwinder cross-check` shows the two stacks parting at frame 1. That is why a scanned frame is
 * marked "scan".
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0
 *   frames  #0 fill  #1 run  #2 main (CFI from .debug_frame)
 */
#include <stddef.h>

static int sink;

/* Its return address is a genuine one, just after a call in fill(). */
__attribute__((noinline)) void *where_called(void)
{
    return __builtin_return_address(0);
}

__attribute__((noinline)) void fill(int *out, int value)
{
    void *volatile stale = where_called();  /* stays in fill's frame, below its return address */
    (void)stale;
    *out = value;                           // CRASH-SITE
}

__attribute__((noinline)) int run(int *out, int seed)
{
    fill(out, seed * 3);                    // CALL-SITE fill
    return seed;
}

int main(int argc, char **argv)
{
    (void)argv;
    int *out = argc > 100 ? &sink : NULL;
    return run(out, argc);                  // CALL-SITE run
}
