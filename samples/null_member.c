/* null_member: reads a struct member through a NULL pointer: a packet whose header was never
 * attached. The load is at NULL plus the member's offset (0x8), not at NULL itself.
 *
 * What a debugger should show:
 *   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x8 (&((struct header *)0)->len)
 *   frames  #0 parse  (the crash-marker line)   #1 handle_packet   #2 main
 *   gdb     `print h` is (const struct header *) 0x0 and `print &h->len` is 0x8 in frame 0
 *
 * Built with -g -O0: h lives in a stack slot, and the faulting `mov eax, [rax+8]` reads it through
 * rax, loaded from that slot by the instruction before. corelens names it from DWARF anyway:
 * "NULL pointer dereference of h->len".
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

struct header {
    uint32_t magic;
    uint16_t version;
    uint16_t flags;
    uint32_t len;
};

struct packet {
    int id;
    const struct header *hdr;           /* NULL: never attached */
};

unsigned parse(const struct packet *pkt)
{
    const struct header *h = pkt->hdr;
    return h->len;                      // CRASH-SITE
}

unsigned handle_packet(int id)
{
    struct packet pkt = { .id = id, .hdr = NULL };
    return parse(&pkt) + 1;             // CALL-SITE parse
}

int main(void)
{
    printf("%u\n", handle_packet(7));   // CALL-SITE handle_packet
    return 0;
}
