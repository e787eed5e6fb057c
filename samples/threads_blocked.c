/* threads_blocked: eleven worker threads, each parked in a different blocking call, then the main
 * thread crashes with a NULL write.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0, in the main thread
 *   crashing thread  #0 crash_in_main_thread (the crash-marker line)  #1 main
 *   12 threads in total. Each worker is named (pthread_setname_np, i.e. /proc/.../comm) and its
 *   own function calls one blocking primitive on its call-marker line:
 *     name       function             blocked in
 *     sleeping   worker_sleeping      nanosleep
 *     condvar    worker_condvar       pthread_cond_wait   (never signalled)
 *     pipe-read  worker_pipe_read     read                (empty pipe, write end kept open)
 *     mutex      worker_mutex         pthread_mutex_lock  (held by main)
 *     forever    worker_forever       pause
 *     joining    worker_joining       pthread_join        (of "forever")
 *     poll       worker_poll          poll                (no fds, 1 hour timeout)
 *     select     worker_select        select              (no fds, 1 hour timeout)
 *     sigwait    worker_sigwait       sigwait             (SIGUSR1, never sent)
 *     barrier    worker_barrier       pthread_barrier_wait (count 2, only one arrives)
 *     epoll      worker_epoll         epoll_wait          (empty epoll set, no timeout)
 *   Below each worker function: start_thread and clone3 (glibc). Library frames above the worker
 *   function depend on the glibc build (e.g. __GI___clock_nanosleep, __futex_abstimed_wait_common).
 *
 * Before crashing, main waits until every worker has announced itself AND the kernel reports the
 * thread as sleeping (state S in /proc/self/task/TID/stat), so the workers really are inside
 * their blocking call when the core is written. Worker stacks are 256 KiB to keep cores small.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/select.h>
#include <time.h>
#include <unistd.h>

enum { MAX_WORKERS = 16, HOUR_MS = 3600 * 1000 };

static atomic_int parked_count;
static pid_t worker_tids[MAX_WORKERS];
static int worker_count;

static pthread_mutex_t held_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_mutex_t cond_mutex = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t never_signalled = PTHREAD_COND_INITIALIZER;
static pthread_barrier_t never_complete;
static int pipe_fds[2];
static int epoll_fd;
static pthread_t forever_thread;

/* Called by each worker right before its blocking call. */
static void announce_parked(int slot)
{
    worker_tids[slot] = gettid();
    atomic_fetch_add(&parked_count, 1);
}

static void *worker_sleeping(void *arg)
{
    struct timespec hour = { .tv_sec = 3600 };
    announce_parked((int)(long)arg);
    nanosleep(&hour, NULL);             // CALL-SITE nanosleep
    return NULL;
}

static void *worker_condvar(void *arg)
{
    pthread_mutex_lock(&cond_mutex);
    announce_parked((int)(long)arg);
    pthread_cond_wait(&never_signalled, &cond_mutex); // CALL-SITE pthread_cond_wait
    pthread_mutex_unlock(&cond_mutex);
    return NULL;
}

static void *worker_pipe_read(void *arg)
{
    char byte;
    announce_parked((int)(long)arg);
    ssize_t n = read(pipe_fds[0], &byte, 1); // CALL-SITE read
    return (void *)n;
}

static void *worker_mutex(void *arg)
{
    announce_parked((int)(long)arg);
    pthread_mutex_lock(&held_mutex);    // CALL-SITE pthread_mutex_lock
    pthread_mutex_unlock(&held_mutex);
    return NULL;
}

static void *worker_forever(void *arg)
{
    announce_parked((int)(long)arg);
    for (;;)
        pause();                        // CALL-SITE pause
    return NULL;
}

static void *worker_joining(void *arg)
{
    announce_parked((int)(long)arg);
    pthread_join(forever_thread, NULL); // CALL-SITE pthread_join
    return NULL;
}

static void *worker_poll(void *arg)
{
    announce_parked((int)(long)arg);
    poll(NULL, 0, HOUR_MS);             // CALL-SITE poll
    return NULL;
}

static void *worker_select(void *arg)
{
    struct timeval hour = { .tv_sec = 3600 };
    announce_parked((int)(long)arg);
    select(0, NULL, NULL, NULL, &hour); // CALL-SITE select
    return NULL;
}

static void *worker_sigwait(void *arg)
{
    sigset_t set;
    int sig;
    sigemptyset(&set);
    sigaddset(&set, SIGUSR1);
    announce_parked((int)(long)arg);
    sigwait(&set, &sig);                // CALL-SITE sigwait
    return NULL;
}

static void *worker_barrier(void *arg)
{
    announce_parked((int)(long)arg);
    pthread_barrier_wait(&never_complete); // CALL-SITE pthread_barrier_wait
    return NULL;
}

static void *worker_epoll(void *arg)
{
    struct epoll_event event;
    announce_parked((int)(long)arg);
    epoll_wait(epoll_fd, &event, 1, -1); // CALL-SITE epoll_wait
    return NULL;
}

static void die(const char *what, int err)
{
    fprintf(stderr, "threads_blocked: %s: %s\n", what, strerror(err));
    exit(2);                            /* a setup failure must not look like the expected crash */
}

static pthread_t start_worker(const char *name, void *(*fn)(void *))
{
    pthread_attr_t attr;
    pthread_t thread;
    int slot = worker_count++;
    int err;

    pthread_attr_init(&attr);
    pthread_attr_setstacksize(&attr, 256 * 1024);
    err = pthread_create(&thread, &attr, fn, (void *)(long)slot);
    if (err != 0)
        die("pthread_create", err);
    pthread_attr_destroy(&attr);
    pthread_setname_np(thread, name);
    return thread;
}

/* True once the kernel reports thread `tid` as sleeping (state S) in a blocking call. */
static int thread_is_sleeping(pid_t tid)
{
    char path[64], stat[512];
    snprintf(path, sizeof path, "/proc/self/task/%d/stat", (int)tid);
    FILE *f = fopen(path, "r");
    if (f == NULL)
        return 0;
    size_t n = fread(stat, 1, sizeof stat - 1, f);
    fclose(f);
    stat[n] = '\0';
    const char *state = strrchr(stat, ')'); /* "tid (comm) S ..." - comm may contain spaces */
    return state != NULL && state[1] == ' ' && state[2] == 'S';
}

static void wait_until_all_parked(void)
{
    const struct timespec ms = { .tv_nsec = 1000 * 1000 };
    while (atomic_load(&parked_count) < worker_count)
        nanosleep(&ms, NULL);
    for (int i = 0; i < worker_count; i++)
        while (!thread_is_sleeping(worker_tids[i]))
            nanosleep(&ms, NULL);
    struct timespec settle = { .tv_nsec = 50 * 1000 * 1000 };
    nanosleep(&settle, NULL);           /* belt and braces: let every worker settle in its syscall */
}

void crash_in_main_thread(int *slot)
{
    *slot = 0xdead;                     // CRASH-SITE
}

int main(void)
{
    sigset_t usr1;
    sigemptyset(&usr1);
    sigaddset(&usr1, SIGUSR1);
    pthread_sigmask(SIG_BLOCK, &usr1, NULL); /* inherited by all workers: only sigwait consumes it */

    if (pipe(pipe_fds) != 0)
        die("pipe", errno);
    epoll_fd = epoll_create1(0);
    if (epoll_fd < 0)
        die("epoll_create1", errno);
    pthread_barrier_init(&never_complete, NULL, 2);
    pthread_mutex_lock(&held_mutex);    /* never released: worker_mutex blocks on it */

    start_worker("sleeping", worker_sleeping);
    start_worker("condvar", worker_condvar);
    start_worker("pipe-read", worker_pipe_read);
    start_worker("mutex", worker_mutex);
    forever_thread = start_worker("forever", worker_forever);
    start_worker("joining", worker_joining);
    start_worker("poll", worker_poll);
    start_worker("select", worker_select);
    start_worker("sigwait", worker_sigwait);
    start_worker("barrier", worker_barrier);
    start_worker("epoll", worker_epoll);

    wait_until_all_parked();
    crash_in_main_thread(NULL);         // CALL-SITE crash_in_main_thread
    return 0;
}
