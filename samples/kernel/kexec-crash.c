/* kexec-crash KERNEL INITRD CMDLINE: loads a crash kernel with kexec_file_load(2).
 * kexec-tools would do, but Debian's kexec binary pulls in the Xen libraries; this is static. */
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>
#include <linux/kexec.h>

int main(int argc, char **argv) {
    if (argc != 4) { fprintf(stderr, "usage: %s KERNEL INITRD CMDLINE\n", argv[0]); return 2; }
    int k = open(argv[1], O_RDONLY), i = open(argv[2], O_RDONLY);
    if (k < 0 || i < 0) { perror("open"); return 1; }
    if (syscall(SYS_kexec_file_load, k, i, strlen(argv[3]) + 1, argv[3], KEXEC_FILE_ON_CRASH)) {
        perror("kexec_file_load");
        return 1;
    }
    return 0;
}
