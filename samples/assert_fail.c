/* assert_fail: assert() fails inside parse_header, called from main.
 *
 * What a debugger should show:
 *   signal  SIGABRT (6), si_code SI_TKILL (-6) (glibc's abort() raises it with tgkill)
 *   frames  #0 __pthread_kill_implementation (libc) ... raise, abort, __assert_fail_base, __assert_fail
 *           then parse_header (the crash-marker line), then main
 *   stderr  "assert_fail: <source dir>/assert_fail.c:NN: parse_header: Assertion `hdr->magic == HEADER_MAGIC' failed."
 */
#undef NDEBUG                           /* this sample needs assert() whatever the build type */
#include <assert.h>
#include <stdint.h>
#include <stdio.h>

#define HEADER_MAGIC 0x4c43u            /* "CL" */

struct header {
    uint16_t magic;
    uint16_t version;
    uint32_t length;
};

unsigned parse_header(const struct header *hdr)
{
    assert(hdr->magic == HEADER_MAGIC); // CRASH-SITE
    return hdr->length;
}

int main(void)
{
    const struct header bad = { .magic = 0xbeef, .version = 1, .length = 16 };
    printf("%u\n", parse_header(&bad)); // CALL-SITE parse_header
    return 0;
}
