/* heap_corruption: frees the same small block twice; glibc's malloc notices and aborts.
 *
 * What a debugger should show:
 *   signal  SIGABRT (6), si_code SI_TKILL (-6) (malloc_printerr calls abort())
 *   frames  #0 __pthread_kill_implementation (libc) ... raise, abort, __libc_message,
 *           malloc_printerr, _int_free, free, then release_buffer (the crash-marker line),
 *           then finish_request, main
 *   stderr  "free(): double free detected in tcache 2"
 * glibc keeps that message in __abort_msg, where corelens reads it back from the core.
 */
#include <stdlib.h>
#include <string.h>

void release_buffer(char *buffer)
{
    free(buffer);                       // CRASH-SITE
}

void finish_request(char *buffer)
{
    release_buffer(buffer);             // CALL-SITE release_buffer
}

int main(void)
{
    char *buffer = malloc(32);
    strcpy(buffer, "request");
    free(buffer);                       /* the first free: legal */
    finish_request(buffer);             // CALL-SITE finish_request
    return 0;
}
