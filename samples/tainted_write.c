/* tainted_write: reads a pointer from a table at an index nobody checked, then writes through
 * the pointer it read. The read faults; had it read something, the write address would have been
 * whatever lies at the address the index chose: the exploitability tools call this a write through
 * a tainted pointer (CASR's DestAvTainted).
 * FLAGS: -O0
 *
 * What a debugger should show:
 *   signal  SIGSEGV, SEGV_MAPERR, fault address = counters + 0x10000000 * sizeof(pointer)
 *   pc      the load of counters[slot] in record_hit (the crash-marker line); a few instructions
 *           later, a store through the register that load writes
 */
struct counter {
    long hits;
    long last_value;
};

static struct counter first, second;
struct counter *counters[2] = { &first, &second };

void record_hit(unsigned long slot, long value)
{
    counters[slot]->last_value = value; // CRASH-SITE
}

volatile unsigned long request = 0x10000000;  /* an index from the outside, never checked */

int main(void)
{
    record_hit(request, 42);            // CALL-SITE record_hit
    return 0;
}
