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
 * size_t). This declares ldisc.c's receive_buf2, named fn, with the
 * parameters tty, cp, fp and count.
 */
#if KERNEL_VERSION(6, 6, 0) <= SERNET_SERIES
#define SERNET_RECEIVE_BUF2(fn)						\
	size_t fn(struct tty_struct *tty, const u8 *cp, const u8 *fp,	\
		  size_t count)
#else
#define SERNET_RECEIVE_BUF2(fn)						\
	int fn(struct tty_struct *tty, const unsigned char *cp,		\
	       const char *fp, int count)
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
