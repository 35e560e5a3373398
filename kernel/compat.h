/* SPDX-License-Identifier: GPL-2.0 */
/*
 * sernet: the one place that knows about kernel version differences.
 *
 * Supported: Debian's 6.1 and 6.12 kernels.
 */
#ifndef _SERNET_COMPAT_H
#define _SERNET_COMPAT_H

#include <linux/bvec.h>
#include <linux/net.h>
#include <linux/socket.h>
#include <linux/tty.h>
#include <linux/uio.h>
#include <linux/version.h>

/*
 * The series (major.patchlevel) of the headers we build against. Out of
 * tree, this file is where version tests belong; the sublevel is left out
 * because Debian's stable updates never change these APIs.
 */
#define SERNET_SERIES KERNEL_VERSION(LINUX_VERSION_MAJOR, \
				     LINUX_VERSION_PATCHLEVEL, 0)

/*
 * 6.6 changed the types of the line discipline receive hooks from
 * (const unsigned char *, const char *, int) to (const u8 *, const u8 *,
 * size_t): ldisc.c's receive_buf2 is declared with these.
 */
#if KERNEL_VERSION(6, 6, 0) <= SERNET_SERIES
typedef const u8 sernet_rx_cp_t;
typedef const u8 sernet_rx_fp_t;
typedef size_t sernet_rx_ret_t;
#else
typedef const unsigned char sernet_rx_cp_t;
typedef const char sernet_rx_fp_t;
typedef int sernet_rx_ret_t;
#endif

/*
 * Send len bytes of page from off by reference: kernel_sendpage() until
 * 6.5, sendmsg() with MSG_SPLICE_PAGES after (6.12 has no sendpage).
 */
#if KERNEL_VERSION(6, 5, 0) <= SERNET_SERIES
static inline int sernet_sendpage(struct socket *sock, struct page *page,
				  unsigned int off, unsigned int len, int flags)
{
	struct msghdr msg = { .msg_flags = flags | MSG_SPLICE_PAGES };
	struct bio_vec bvec;

	bvec_set_page(&bvec, page, len, off);
	iov_iter_bvec(&msg.msg_iter, ITER_SOURCE, &bvec, 1, len);
	return sock_sendmsg(sock, &msg);
}
#else
static inline int sernet_sendpage(struct socket *sock, struct page *page,
				  unsigned int off, unsigned int len, int flags)
{
	return kernel_sendpage(sock, page, off, len, flags);
}
#endif

#endif /* _SERNET_COMPAT_H */
