// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: serial device server line discipline.
 *
 * Turns an attached serial port into a network serial device server
 * configured over generic netlink and sysfs.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/module.h>
#include <linux/moduleparam.h>
#include <linux/tty.h>

#include "sernet.h"

static int ldisc = SERNET_LDISC_DEFAULT;
module_param(ldisc, int, 0444);
MODULE_PARM_DESC(ldisc, "line discipline number (default 29, N_DEVELOPMENT)");

static int __init sernet_init(void)
{
	int err;

	/* 0 is N_TTY, which must never be replaced. */
	if (ldisc < 1 || ldisc >= NR_LDISCS) {
		pr_err("ldisc=%d is out of range 1..%d\n", ldisc,
		       NR_LDISCS - 1);
		return -EINVAL;
	}

	err = class_register(&sernet_class);
	if (err)
		return err;

	err = sernet_netlink_init();
	if (err)
		goto err_class;

	err = sernet_hooks_init();
	if (err)
		goto err_netlink;

	err = sernet_ldisc_register(ldisc);
	if (err)
		goto err_hooks;

	pr_info("line discipline %d registered\n", ldisc);
	return 0;

err_hooks:
	sernet_hooks_exit();
err_netlink:
	sernet_netlink_exit();
err_class:
	class_unregister(&sernet_class);
	return err;
}

/* Unloading is refused while a tty is attached (the ldisc pins us). */
static void __exit sernet_exit(void)
{
	sernet_ldisc_unregister();
	sernet_hooks_exit();
	sernet_netlink_exit();
	class_unregister(&sernet_class);
	WARN_ON(!xa_empty(&sernet_ports));
}

module_init(sernet_init);
module_exit(sernet_exit);

MODULE_DESCRIPTION("Serial device server line discipline");
MODULE_AUTHOR("The sernet developers");
MODULE_LICENSE("GPL");
MODULE_VERSION(SERNET_MODULE_VERSION);
MODULE_ALIAS_LDISC(SERNET_LDISC_DEFAULT);
