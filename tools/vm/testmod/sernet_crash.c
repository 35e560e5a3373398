// SPDX-License-Identifier: GPL-2.0
/*
 * sernet_crash: test only, for the VM runner's own test (make check's
 * "VM runner" stage); never load it anywhere else. Loading it queues a
 * work item that writes through a NULL pointer in a kworker. Debian's
 * kernels do not panic on an oops: the kworker dies, insmod has already
 * returned 0 and the command goes on, so only the report on the console
 * can fail the run, and tools/vm/run must find it there.
 */
#include <linux/module.h>
#include <linux/workqueue.h>

static int *sernet_crash_target;	/* NULL, read as a volatile */

static void sernet_crash_fn(struct work_struct *work)
{
	pr_info("sernet_crash: writing through a NULL pointer in a kworker\n");
	*READ_ONCE(sernet_crash_target) = 1;
}

static DECLARE_WORK(sernet_crash_work, sernet_crash_fn);

static int __init sernet_crash_init(void)
{
	schedule_work(&sernet_crash_work);
	return 0;
}
module_init(sernet_crash_init);

MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Test only: an oops in a kworker, for tools/vm/run's test");
