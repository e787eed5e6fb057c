/* pthread_kill_other: a worker thread sends SIGSEGV to the main thread with pthread_kill while
 * the main thread waits in pause(). Nothing faulted; the sender is the process itself (si_pid is
 * the process's pid), but not the thread that received it.
 * FLAGS: -O0 -pthread
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SI_TKILL (-6), si_pid = its own pid, in the main thread
 *   frames  pause (libc), wait_for_worker (the crash-marker line) <- main
 */
#include <pthread.h>
#include <signal.h>
#include <unistd.h>

static pthread_t main_thread;

static void *worker(void *arg)
{
    (void)arg;
    usleep(100 * 1000);                 /* let the main thread reach pause() first */
    pthread_kill(main_thread, SIGSEGV);
    for (;;)
        pause();
    return NULL;
}

void wait_for_worker(void)
{
    for (;;)
        pause();                        // CRASH-SITE
}

int main(void)
{
    main_thread = pthread_self();
    pthread_t t;
    pthread_create(&t, NULL, worker, NULL);
    wait_for_worker();                  // CALL-SITE wait_for_worker
    return 0;
}
