/* illegal_instruction: executes `ud2`, the x86 "guaranteed undefined" opcode, two calls below main.
 *
 * What a debugger should show:
 *   signal  SIGILL (4), si_code ILL_ILLOPN (2), si_addr = the address of the ud2 instruction
 *   frames  #0 execute_opcode (the crash-marker line)
 *           #1 dispatch  #2 main
 */
#if !defined(__x86_64__) && !defined(__i386__)
#error "illegal_instruction uses the x86 ud2 instruction"
#endif

void execute_opcode(void)
{
    __asm__ volatile("ud2");            // CRASH-SITE
}

void dispatch(int opcode)
{
    if (opcode != 0)
        execute_opcode();               // CALL-SITE execute_opcode
}

int main(void)
{
    dispatch(0x0b0f);                   // CALL-SITE dispatch
    return 0;
}
