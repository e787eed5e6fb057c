// inlined_o2: built with -O2 -g. The faulting load sits in extract_field, which is force-inlined
// into decode_record, which is inlined into load_record, which is inlined into process_request
// (kept out of line with noinline/noclone). So one pc carries three inlined frames.
//
// What a debugger should show:
//   signal  SIGSEGV (11), si_code SEGV_MAPERR (1), fault address 0x0 (Record::field is NULL)
//   frames  #0 extract_field   (inlined, on the crash-marker line)
//           #1 decode_record   (inlined, on its call-marker line for extract_field)
//           #2 load_record     (inlined, on its call-marker line for decode_record)
//           #3 process_request (the real frame, on its call-marker line)   #0-#3 share one pc
//           #4 main
//   (An unwinder that ignores DW_TAG_inlined_subroutine shows only process_request and main.)
//
// The record is reached through a volatile pointer, so the compiler cannot see that the field is
// NULL and turn the load into a trap (ud2): the crash is a real `mov (%rax),%eax` at -O2.
// The field points to volatile int so that the faulting load stays a statement of its own: with
// a plain int, gcc 12 merges it into decode_record's arithmetic and the line table attributes
// the faulting pc to decode_record (one inlined level lost).
#include <cstdio>

struct Record {
    int id;
    const volatile int *field;
};

static inline __attribute__((always_inline)) int extract_field(const Record *r)
{
    return *r->field;                   // CRASH-SITE
}

static inline __attribute__((always_inline)) int decode_record(const Record *r)
{
    return extract_field(r) * 3 + r->id; // CALL-SITE extract_field
}

static inline __attribute__((always_inline)) int load_record(const Record *r)
{
    return decode_record(r) ^ 0x5a;     // CALL-SITE decode_record
}

__attribute__((noinline, noclone)) int process_request(const Record *r)
{
    return load_record(r) + 1;          // CALL-SITE load_record
}

static Record broken_record = { 7, nullptr };
static Record *volatile current_record = &broken_record; // opaque to the optimizer
static volatile int sink;

int main()
{
    sink = process_request(current_record); // CALL-SITE process_request
    std::printf("%d\n", sink);
    return 0;
}
