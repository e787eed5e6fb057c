/* null_write: stores into a member of a structure through a NULL pointer.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV, SEGV_MAPERR, fault address = the member's offset (0x8 on 64-bit, 0x4 on 32-bit)
 *   pc      the store in set_length (the crash-marker line), then main
 */
#include <stddef.h>

struct buffer {
    char *data;
    long length;
};

void set_length(struct buffer *b, long length)
{
    b->length = length;                 // CRASH-SITE
}

int main(void)
{
    struct buffer *b = NULL;
    set_length(b, 16);                  // CALL-SITE set_length
    return 0;
}
