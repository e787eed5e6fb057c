/* tainted_call: reads a handler from a table at an index nobody checked, then calls what it
 * read. At -O0 the load and the call are two instructions: the load faults, and the register it
 * writes is the call's target (CASR's CallAvTainted).
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV, SEGV_MAPERR, fault address = handlers + 0x10000000 * sizeof(pointer)
 *   pc      the load of handlers[index] in dispatch (the crash-marker line); then `call reg`
 */
typedef int (*handler_fn)(int);

static int on_open(int value) { return value + 1; }
static int on_close(int value) { return value - 1; }

handler_fn handlers[2] = { on_open, on_close };

int dispatch(unsigned long index, int value)
{
    return handlers[index](value);      // CRASH-SITE
}

volatile unsigned long request = 0x10000000;  /* an index from the outside, never checked */

int main(void)
{
    return dispatch(request, 7);        // CALL-SITE dispatch
}
