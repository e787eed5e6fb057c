/* wild_jump: a computed goto through a table of labels at an index nobody checked; at -O2 the
 * jump reads its target straight from the slot (`jmp [base + index*8]`), and that read faults.
 * FLAGS: -O2
 *
 * What a debugger should show:
 *   signal  SIGSEGV, SEGV_MAPERR, fault address = the slot, 2 GiB (1 GiB on 32-bit) past the table
 *   pc      the jmp instruction in run_opcode (the crash-marker line), then main
 */
__attribute__((noinline)) int run_opcode(unsigned long opcode, int value)
{
    static void *const labels[] = { &&op_inc, &&op_dec };
    goto *labels[opcode];               // CRASH-SITE
op_inc:
    return value + 1;
op_dec:
    return value - 1;
}

volatile unsigned long request = 0x10000000;  /* an opcode from the outside, never checked */

int main(void)
{
    return run_opcode(request, 7);      // CALL-SITE run_opcode
}
