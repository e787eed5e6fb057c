/* null_call: calls through a NULL function pointer; the cpu jumps to address 0.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0, pc 0x0
 *   frames  #0 0x0 (no function), then run_callback (the crash-marker line: the call), then main.
 *           The return address the call pushed is at [rsp]: that is how the caller is found.
 */
#include <stddef.h>

typedef int (*callback_fn)(int);

int run_callback(callback_fn callback, int value)
{
    return callback(value) + 1;         // CRASH-SITE
}

int main(void)
{
    callback_fn callback = NULL;
    return run_callback(callback, 7);   // CALL-SITE run_callback
}
