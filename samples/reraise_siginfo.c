/* reraise_siginfo: reraise_handler with an SA_SIGINFO handler, as crash reporters install
 * theirs: the kernel then also copies the first delivery's siginfo into the signal frame. The
 * handler writes a line, restores the default action, unblocks SIGSEGV and raises it again, so
 * the core is dumped inside the handler.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SI_TKILL (-6), si_pid = its own pid
 *   frames  libc's raise path, on_crash (the handler), <signal handler called>, store_sample
 *           (the crash-marker line) <- record <- main
 *   the first delivery: SIGSEGV, SEGV_MAPERR, fault address 0x0 (the siginfo at 304 bytes past
 *   the sp of gdb's "<signal handler called>" frame)
 */
#include <signal.h>
#include <string.h>
#include <unistd.h>

static void on_crash(int sig, siginfo_t *info, void *context)
{
    static const char line[] = "reraise_siginfo: crashed, writing a report\n";
    (void)info;
    (void)context;
    (void)!write(2, line, sizeof line - 1);
    signal(sig, SIG_DFL);
    sigset_t set;
    sigemptyset(&set);
    sigaddset(&set, sig);
    sigprocmask(SIG_UNBLOCK, &set, NULL);
    raise(sig);                         // CALL-SITE raise
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
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_crash;
    sa.sa_flags = SA_SIGINFO;
    sigaction(SIGSEGV, &sa, NULL);
    record(42);                         // CALL-SITE record
    return 0;
}
