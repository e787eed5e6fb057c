/* reraise_deferred: a SIGSEGV handler that restores the default action and raises the signal
 * again without unblocking it, as many hand-written handlers do. SIGSEGV stays pending until the
 * handler returns; the kernel then delivers it at the faulting instruction, so the core shows the
 * NULL write's pc with the raised signal's siginfo and no handler on the stack.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SI_TKILL (-6), si_pid = its own pid
 *   frames  store_sample (the crash-marker line) <- record <- main
 */
#include <signal.h>
#include <stddef.h>

static void on_crash(int sig)
{
    signal(sig, SIG_DFL);
    raise(sig);
}

void store_sample(int *slot, int value)
{
    *slot = value;                      // CRASH-SITE
}

void record(int value)
{
    store_sample(NULL, value);          // CALL-SITE store_sample
}

int main(void)
{
    signal(SIGSEGV, on_crash);
    record(42);                         // CALL-SITE record
    return 0;
}
