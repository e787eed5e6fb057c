/* wild_write: writes an int through a wild, non-NULL, unmapped pointer two calls below main.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0xdead000beef
 *   frames  #0 store_field (the crash-marker line)
 *           #1 update_record  #2 main
 *
 * The address is canonical (below 0x7fffffffffff) and far from anything the loader maps, so the
 * kernel reports a page fault with the exact address.  (A non-canonical address such as
 * 0xdead0000beef would raise #GP instead: SIGSEGV with si_code SI_KERNEL and si_addr 0.)
 */
#include <stdint.h>

#define WILD_ADDRESS ((uintptr_t)0xdead000beefULL)

void store_field(int *field, int value)
{
    *field = value;                     // CRASH-SITE
}

void update_record(uintptr_t address)
{
    store_field((int *)address, 42);    // CALL-SITE store_field
}

int main(void)
{
    update_record(WILD_ADDRESS);        // CALL-SITE update_record
    return 0;
}
