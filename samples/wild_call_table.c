/* wild_call_table: calls through a table of handlers at an index nobody checked; at -O2 the
 * call reads its target straight from the table slot (`call [base + index*8]`), and that read
 * faults: the slot is 2 GiB (1 GiB on 32-bit) past the table.
 * FLAGS: -O2
 *
 * What a debugger should show:
 *   signal  SIGSEGV, SEGV_MAPERR, fault address = table + 0x10000000 * sizeof(pointer)
 *   pc      the call instruction in dispatch (the crash-marker line), then main
 */
typedef int (*handler_fn)(int);

static int on_open(int value) { return value + 1; }
static int on_close(int value) { return value - 1; }

handler_fn handlers[2] = { on_open, on_close };

__attribute__((noinline)) int dispatch(unsigned long index, int value)
{
    return handlers[index](value) * 3;  // CRASH-SITE
}

volatile unsigned long request = 0x10000000;  /* an index from the outside, never checked */

int main(void)
{
    return dispatch(request, 7);        // CALL-SITE dispatch
}
