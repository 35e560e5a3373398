// SPDX-License-Identifier: GPL-2.0
/*
 * fwd: the plain userspace baseline of the benchmark. The best a simple
 * forwarder can do: one process, one poll() loop, the tty in raw mode,
 * 64 KiB reads, blocking writes. Serial bytes go to every TCP client;
 * every client's bytes go to the tty. No packing, no copies beyond the
 * two system calls.
 *
 *   fwd TTY PORT [MAXCLIENTS]    listens on 127.0.0.1:PORT only
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <termios.h>
#include <unistd.h>

#define BUFSZ (64 * 1024)
#define MAXC 64

static int write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

static int listen_on(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || setsockopt(s, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) ||
	    bind(s, (struct sockaddr *)&a, sizeof(a)) || listen(s, 16)) {
		perror("fwd: listen");
		exit(1);
	}
	return s;
}

static int open_tty(const char *path)
{
	struct termios t;
	int fd = open(path, O_RDWR | O_NOCTTY);

	if (fd < 0 || tcgetattr(fd, &t)) {
		perror(path);
		exit(1);
	}
	cfmakeraw(&t);
	t.c_cc[VMIN] = 1;
	t.c_cc[VTIME] = 0;
	if (tcsetattr(fd, TCSANOW, &t)) {
		perror("fwd: tcsetattr");
		exit(1);
	}
	return fd;
}

int main(int argc, char **argv)
{
	static char buf[BUFSZ];
	struct pollfd pfd[MAXC + 2];
	int n = 0, maxc, one = 1;

	if (argc < 3) {
		fprintf(stderr, "usage: fwd TTY PORT [MAXCLIENTS]\n");
		return 2;
	}
	maxc = argc > 3 ? atoi(argv[3]) : 16;
	if (maxc < 1 || maxc > MAXC)
		maxc = MAXC;
	signal(SIGPIPE, SIG_IGN);
	pfd[0] = (struct pollfd){ .fd = open_tty(argv[1]), .events = POLLIN };
	pfd[1] = (struct pollfd){ .fd = listen_on(atoi(argv[2])), .events = POLLIN };
	printf("fwd: ready\n");
	fflush(stdout);

	for (;;) {
		if (poll(pfd, (nfds_t)n + 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			perror("fwd: poll");
			return 1;
		}
		if (pfd[0].revents & POLLIN) {
			ssize_t r = read(pfd[0].fd, buf, sizeof(buf));

			for (int i = 0; r > 0 && i < n; i++)
				if (write_all(pfd[i + 2].fd, buf, (size_t)r))
					shutdown(pfd[i + 2].fd, SHUT_RDWR);
		}
		if (pfd[1].revents & POLLIN) {
			int c = accept(pfd[1].fd, NULL, NULL);

			if (c >= 0 && n == maxc)
				close(c);
			else if (c >= 0) {
				setsockopt(c, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
				pfd[2 + n++] = (struct pollfd){ .fd = c, .events = POLLIN };
			}
		}
		for (int i = 0; i < n; i++) {
			ssize_t r = 0;

			if (pfd[i + 2].revents & (POLLIN | POLLHUP | POLLERR))
				r = read(pfd[i + 2].fd, buf, sizeof(buf));
			if (r > 0 && write_all(pfd[0].fd, buf, (size_t)r)) {
				perror("fwd: tty write");
				return 1;
			}
			if (r < 0 || (r == 0 && pfd[i + 2].revents)) {
				close(pfd[i + 2].fd);
				pfd[i + 2] = pfd[2 + --n];
				pfd[2 + n].revents = 0;
				i--;
			}
		}
	}
}
