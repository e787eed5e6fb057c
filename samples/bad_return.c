/* bad_return: a copy into a local array runs over the saved frame pointer and the return
 * address; the function's `ret` then jumps to the bytes the copy wrote there ('A' = 0x41).
 * FLAGS: -O0 -fno-stack-protector   (no canary: the return itself is what fails)
 *
 * What a debugger should show:
 *   x86_64  signal SIGSEGV, si_code SI_KERNEL (128), fault address 0x0: the popped address
 *           0x4141414141414141 is not canonical, so the `ret` itself faults (a general
 *           protection fault); pc = the ret of copy_record (the crash-marker line: its closing brace)
 *   i386    the `ret` succeeds and the cpu faults fetching at 0x41414141: pc = 0x41414141, and
 *           the stack slot just above sp (the one ret popped) holds 0x41414141
 */
#include <stdio.h>
#include <string.h>

void copy_record(const unsigned char *input, size_t length)
{
    char local[16];
    memcpy(local, input, length);       /* length is 64: past local[15] */
    printf("%c\n", local[0]);
}                                       // CRASH-SITE

int main(void)
{
    unsigned char input[64];
    memset(input, 'A', sizeof input);
    copy_record(input, sizeof input);   // CALL-SITE copy_record
    return 0;
}
