/* wild_call_pointer: an overflow of a name buffer overwrites the function pointer stored after
 * it; the call through that pointer goes to the bytes of the name ('A' = 0x41).
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   x86_64  signal SIGSEGV, si_code SI_KERNEL (128), fault address 0x0: the target
 *           0x4141414141414141 is not canonical, so the `call` itself faults; pc = the call in
 *           close_session (the crash-marker line)
 *   i386    the call jumps: pc = 0x41414141, and [esp] holds the return address into
 *           close_session, which the call pushed
 */
#include <stdio.h>
#include <string.h>

struct session {
    char name[16];
    void (*on_close)(struct session *);
};

static void log_close(struct session *s) { printf("closing %.16s\n", s->name); }

void close_session(struct session *s)
{
    s->on_close(s);                     // CRASH-SITE
    puts("closed");
}

void set_name(struct session *s, const char *name, size_t length)
{
    memcpy(s->name, name, length);      /* 16 + sizeof(pointer) bytes: over on_close too */
}

int main(void)
{
    struct session s = { "", log_close };
    char name[32];
    memset(name, 'A', sizeof name);
    set_name(&s, name, sizeof s.name + sizeof s.on_close);
    close_session(&s);                  // CALL-SITE close_session
    return 0;
}
