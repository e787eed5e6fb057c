// SPDX-License-Identifier: GPL-2.0
/*
 * corelens_oops: a module whose write handler dereferences a NULL pointer, for a real oops
 * ("BUG: kernel NULL pointer dereference, address: 0000000000000000") that oops=panic turns into
 * the panic ("Fatal exception"). make-kernel-dumps.sh (CRASH=oops) builds it against Debian's
 * linux-headers-RELEASE and the initramfs runs `echo 1 > /proc/corelens-oops`.
 *
 * The fault is two calls deep in the module, so the panicking CPU's stack goes through the page
 * fault's pt_regs into corelens_oops_read, then corelens_oops_write, then the VFS.
 */
#include <linux/module.h>
#include <linux/proc_fs.h>

/* Never set: READ_ONCE keeps the compiler from knowing that, so the load really happens. */
static int *corelens_oops_target;

/* noipa: its own frame, under its own name (no .constprop clone, no inlining). */
static noinline __attribute__((noipa)) int corelens_oops_read(int **where)
{
	return READ_ONCE(*READ_ONCE(*where));
}

static noinline __attribute__((noipa)) ssize_t corelens_oops_write(struct file *file, const char __user *buf,
								   size_t len, loff_t *off)
{
	pr_info("corelens_oops: reading through %px\n", READ_ONCE(corelens_oops_target));
	return corelens_oops_read(&corelens_oops_target) + len;
}

static const struct proc_ops corelens_oops_ops = {
	.proc_write = corelens_oops_write,
};

static int __init corelens_oops_init(void)
{
	return proc_create("corelens-oops", 0200, NULL, &corelens_oops_ops) ? 0 : -ENOMEM;
}

static void __exit corelens_oops_exit(void)
{
	remove_proc_entry("corelens-oops", NULL);
}

module_init(corelens_oops_init);
module_exit(corelens_oops_exit);
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Dereferences NULL when written to: a real oops for corelens' tests");
