/* invalid_opcode: calls through a function pointer into bytes that are not a valid instruction
 * and that no compiler plants: `lock nop` (f0 90), a LOCK prefix on an instruction that cannot
 * take one, which raises #UD on every x86. Unlike ud2, this is what a jump into data looks like.
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGILL, ILL_ILLOPN; pc = not_code, the bytes f0 90; then run_plugin, main
 */
#if !defined(__x86_64__) && !defined(__i386__)
#error "invalid_opcode uses x86 encodings"
#endif

/* Code-like bytes in the text section, with a symbol so that frames name them. */
__asm__(".text\n"
        ".globl not_code\n"
        ".type not_code, @function\n"
        "not_code:\n"
        ".byte 0xf0, 0x90\n"            /* lock nop: #UD */
        "ret\n"
        ".size not_code, .-not_code\n");
void not_code(void);

void run_plugin(void (*entry)(void))
{
    entry();                            // CALL-SITE not_code
}

int main(void)
{
    run_plugin(not_code);               // CALL-SITE run_plugin
    return 0;
}
