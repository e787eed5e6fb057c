/* stack_overflow: unbounded recursion; each level keeps a 64 KiB local buffer, so the default
 * 8 MiB stack (make-cores forces `ulimit -s 8192`) overflows after about 127 levels.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address just below the stack's lowest
 *           allowed page (the kernel refuses to grow the stack past RLIMIT_STACK)
 *   frames  #0 .. #~127 recurse (all on the crash-marker line), then main
 *
 * recurse() is written on ONE line on purpose: depending on where the stack limit falls (ASLR
 * and the size of argv/environment move the stack), the faulting instruction is either the
 * callee's first store or the caller's `call` (which pushes the return address). Both are on the
 * same line, so the crashing function and line are the same on every run.  The buffer is used
 * after the recursive call returns, so the compiler cannot turn the recursion into a loop
 * (and at -O0 it does not try).
 */
#include <stdio.h>

#define FRAME_BYTES (64 * 1024)

static unsigned long recurse(unsigned long depth) { volatile char buf[FRAME_BYTES]; buf[0] = (char)depth; return recurse(depth + 1) + buf[depth % FRAME_BYTES]; } // CRASH-SITE

int main(void)
{
    printf("%lu\n", recurse(0));        // CALL-SITE recurse
    return 0;
}
