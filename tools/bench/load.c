// SPDX-License-Identifier: GPL-2.0
/*
 * load: the bench's load generator in C, so that the load is not most of
 * the CPU it measures. For every port (a pty master fd inherited from the
 * bench, and a TCP port on 127.0.0.1 where the port's forwarder listens)
 * it connects K clients, proves both ways with a handshake, then writes a
 * seeded pseudo-random stream to the master (every client receives it:
 * "down") and one from the first client (the master receives it: "up"),
 * paced at RATE bytes/s in 10 ms steps, or as fast as the forwarder takes
 * them with --rate 0. Every receiver checks its stream byte for byte and
 * counts its length. One JSON line at the end: each stream's bytes sent,
 * received and whether they were exact, and this process's own CPU time
 * (getrusage RUSAGE_SELF, user + sys) from "ready" on, that of the
 * handshakes before apart (setup_cpu_s). Exit status 1 if any stream lost,
 * added or changed a byte, or stalled.
 *
 *   load [--rate B] [--secs S] [--bytes N] [--clients K] [--down-only]
 *        [--seed N] --port FD:TCPPORT [--port FD:TCPPORT ...]
 *
 * --bytes: the length of every stream (default RATE * SECS). "ready" is
 * printed on a line of its own once every handshake is done.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#define PATSZ (1 << 20)		/* the pattern; a stream is a window of it */
#define MAXPORTS 128
#define MAXCLIENTS 64
#define MAXENDS (MAXPORTS * (MAXCLIENTS + 1))
#define CHUNK (64 * 1024)
#define STEP_NS 10000000LL	/* pacing step */
#define STALL_S 10		/* no byte received for this long: failed */
#define MARK 0xa5		/* handshake, device -> clients, repeated */
#define GO 0x5a			/* ... and its end: the stream follows */

static unsigned char pat[2 * PATSZ];	/* twice: any window is contiguous */

struct stream {
	int fd;			/* the sender's fd */
	const char *dir;
	int port;
	size_t off, total, sent;
};

struct recv {
	struct stream *s;
	int client;		/* -1: the master */
	size_t got;
	int bad;		/* lost, added or changed bytes seen */
};

struct end {
	int fd;
	struct recv *r;		/* what this fd receives */
	struct stream *s;	/* what this fd sends, or NULL */
	int flags;		/* the fd's flags before, to restore */
};

static struct stream streams[2 * MAXPORTS];
static struct recv recvs[MAXENDS];
static struct end ends[MAXENDS];
static int nstreams, nrecvs, nends;

static double cpu_now(void)
{
	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	return (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
	       (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6;
}

static void die(const char *what)
{
	perror(what);
	exit(2);
}

static long long now_ns(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return t.tv_sec * 1000000000LL + t.tv_nsec;
}

static void fill(uint64_t seed)
{
	uint64_t x = seed;

	for (size_t i = 0; i < PATSZ; i += 8) {
		uint64_t z = (x += 0x9e3779b97f4a7c15ULL);

		z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
		z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
		z ^= z >> 31;
		memcpy(pat + i, &z, 8);
	}
	memcpy(pat + PATSZ, pat, PATSZ);
}

/* one byte from fd within ms, -1 if none */
static int get_byte(int fd, int ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	unsigned char b;

	if (poll(&p, 1, ms) != 1 || read(fd, &b, 1) != 1)
		return -1;
	return b;
}

static int dial(int port)
{
	struct sockaddr_in a = { .sin_family = AF_INET,
				 .sin_port = htons((unsigned short)port),
				 .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	int one = 1, s = socket(AF_INET, SOCK_STREAM, 0);

	if (s < 0 || connect(s, (struct sockaddr *)&a, sizeof(a)))
		die("load: connect");
	setsockopt(s, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	return s;
}

static void add_end(int fd, struct recv *r, struct stream *s)
{
	struct end *e = &ends[nends++];

	e->fd = fd;
	e->r = r;
	e->s = s;
	e->flags = fcntl(fd, F_GETFL);
	if (e->flags < 0 || fcntl(fd, F_SETFL, e->flags | O_NONBLOCK))
		die("load: fcntl");
}

/*
 * k clients on port, each proven both ways: its 0 byte reaches the
 * master; then MARK from the master until every client has one, then GO.
 */
static void handshake(int master, int port, int k, int *cl)
{
	unsigned char m = MARK, go = GO;

	for (int i = 0; i < k; i++) {
		unsigned char z = 0;

		cl[i] = dial(port);
		if (write(cl[i], &z, 1) != 1 || get_byte(master, 10000) != 0) {
			fprintf(stderr, "load: port %d: no handshake byte\n", port);
			exit(2);
		}
	}
	for (int i = 0, tries = 0; i < k;) {
		int b;

		if (tries++ > 100) {
			fprintf(stderr, "load: port %d: client %d got no mark\n",
				port, i);
			exit(2);
		}
		if (write(master, &m, 1) != 1)
			die("load: write mark");
		while (i < k && (b = get_byte(cl[i], 100)) == MARK)
			i++;
	}
	if (write(master, &go, 1) != 1)
		die("load: write go");
	for (int i = 0; i < k; i++) {
		int b;

		while ((b = get_byte(cl[i], 10000)) == MARK)
			;
		if (b != GO) {
			fprintf(stderr, "load: port %d: client %d: no start\n",
				port, i);
			exit(2);
		}
	}
}

static void check(struct recv *r, const unsigned char *buf, size_t n)
{
	struct stream *s = r->s;
	size_t want = r->got < s->total ? s->total - r->got : 0;
	size_t c = n > want ? want : n;

	if (n > want)
		r->bad = 1;		/* bytes beyond the stream: added */
	if (c && memcmp(buf, pat + (s->off + r->got) % PATSZ, c))
		r->bad = 1;
	r->got += n;
}

static int usage(void)
{
	fprintf(stderr, "usage: load [--rate B] [--secs S] [--bytes N] "
		"[--clients K] [--down-only] [--seed N] --port FD:TCPPORT ...\n");
	return 2;
}

int main(int argc, char **argv)
{
	static unsigned char buf[CHUNK];
	static struct pollfd pfd[MAXENDS];
	static int mfd[MAXPORTS], tport[MAXPORTS];
	double rate = 92160, secs = 4;
	long long bytes = -1, extra = 0;
	int k = 1, down_only = 0, nports = 0, ok = 1;
	uint64_t seed = 1;

	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *v = i + 1 < argc ? argv[i + 1] : NULL;

		if (!strcmp(a, "--down-only")) {
			down_only = 1;
			continue;
		}
		if (!v)
			return usage();
		i++;
		if (!strcmp(a, "--rate"))
			rate = atof(v);
		else if (!strcmp(a, "--secs"))
			secs = atof(v);
		else if (!strcmp(a, "--bytes"))
			bytes = atoll(v);
		else if (!strcmp(a, "--clients"))
			k = atoi(v);
		else if (!strcmp(a, "--seed"))
			seed = strtoull(v, NULL, 0);
		else if (!strcmp(a, "--port") && nports < MAXPORTS &&
			 sscanf(v, "%d:%d", &mfd[nports], &tport[nports]) == 2)
			nports++;
		else
			return usage();
	}
	if (!nports || k < 1 || k > MAXCLIENTS || rate < 0 ||
	    (bytes < 0 && rate == 0))
		return usage();
	if (bytes < 0)
		bytes = (long long)(rate * secs);
	signal(SIGPIPE, SIG_IGN);
	fill(seed);

	for (int p = 0; p < nports; p++) {
		int cl[MAXCLIENTS];
		struct stream *dn = &streams[nstreams++], *up = NULL;
		struct recv *mr = NULL;

		handshake(mfd[p], tport[p], k, cl);
		*dn = (struct stream){ mfd[p], "down", tport[p],
				       (size_t)(2 * p) * 104729 % PATSZ,
				       (size_t)bytes, 0 };
		if (!down_only) {
			up = &streams[nstreams++];
			*up = (struct stream){ cl[0], "up", tport[p],
					       (size_t)(2 * p + 1) * 104729 % PATSZ,
					       (size_t)bytes, 0 };
			mr = &recvs[nrecvs++];
			*mr = (struct recv){ up, -1, 0, 0 };
		}
		add_end(mfd[p], mr, dn);
		for (int i = 0; i < k; i++) {
			struct recv *r = &recvs[nrecvs++];

			*r = (struct recv){ dn, i, 0, 0 };
			add_end(cl[i], r, i == 0 ? up : NULL);
		}
	}
	double setup_cpu = cpu_now();

	printf("ready\n");
	fflush(stdout);

	long long t0 = now_ns(), last_rx = t0, next = t0;

	for (;;) {
		long long t = now_ns();
		int pending = 0, sending = 0, n = 0, timeout;

		for (int i = 0; i < nends; i++) {
			struct end *e = &ends[i];
			struct stream *s = e->s;
			short ev = e->r ? POLLIN : 0;

			if (s && s->sent < s->total) {
				size_t due = s->total;

				if (rate > 0 && t >= next) {
					double d = (double)(t - t0) * 1e-9 * rate;

					if (d < (double)due)
						due = (size_t)d;
				} else if (rate > 0) {
					due = s->sent;	/* between steps */
				}
				while (s->sent < due) {
					size_t c = due - s->sent;
					ssize_t w;

					w = write(e->fd, pat + (s->off + s->sent) % PATSZ,
						  c > CHUNK ? CHUNK : c);
					if (w < 0 && errno == EINTR)
						continue;
					if (w < 0 && errno == EAGAIN) {
						ev |= POLLOUT;
						break;
					}
					if (w <= 0)
						die("load: write");
					s->sent += (size_t)w;
				}
				sending = 1;
			}
			if (e->r && e->r->got < e->r->s->total)
				pending = 1;
			pfd[n++] = (struct pollfd){ .fd = e->fd, .events = ev };
		}
		if (rate > 0 && t >= next)
			next = t0 + ((t - t0) / STEP_NS + 1) * STEP_NS;
		if (!pending && !sending)
			break;
		if (t - last_rx > STALL_S * 1000000000LL) {
			fprintf(stderr, "load: stalled\n");
			ok = 0;
			break;
		}
		timeout = 100;
		if (rate > 0 && sending)
			timeout = (int)((next - t) / 1000000) + 1;
		if (poll(pfd, (nfds_t)n, timeout) < 0 && errno != EINTR)
			die("load: poll");
		for (int i = 0; i < n; i++) {
			struct end *e = &ends[i];

			if (!e->r || !(pfd[i].revents & (POLLIN | POLLHUP | POLLERR)))
				continue;
			for (;;) {
				ssize_t r = read(e->fd, buf, sizeof(buf));

				if (r < 0 && errno == EINTR)
					continue;
				if (r < 0 && errno == EAGAIN)
					break;
				if (r <= 0) {
					fprintf(stderr, "load: port %d: %s closed\n",
						e->r->s->port,
						e->r->client < 0 ? "master" : "client");
					ok = 0;
					goto done;
				}
				check(e->r, buf, (size_t)r);
				last_rx = now_ns();
				if ((size_t)r < sizeof(buf))
					break;
			}
		}
	}
done:;
	double wall = (double)(now_ns() - t0) * 1e-9;

	/* anything past the end of a stream shows within this drain */
	for (int spin = 0; ok && spin < 2; spin++) {
		int n = 0;

		for (int i = 0; i < nends; i++)
			pfd[n++] = (struct pollfd){ .fd = ends[i].fd,
						    .events = ends[i].r ? POLLIN : 0 };
		if (poll(pfd, (nfds_t)n, 50) <= 0)
			break;
		for (int i = 0; i < n; i++) {
			ssize_t r;

			if (ends[i].r && (pfd[i].revents & POLLIN) &&
			    (r = read(ends[i].fd, buf, sizeof(buf))) > 0) {
				ends[i].r->bad = 1;
				extra += r;
			}
		}
	}

	struct rusage ru;

	getrusage(RUSAGE_SELF, &ru);
	double cpu = (double)(ru.ru_utime.tv_sec + ru.ru_stime.tv_sec) +
		     (double)(ru.ru_utime.tv_usec + ru.ru_stime.tv_usec) * 1e-6 -
		     setup_cpu;

	for (int i = 0; i < nrecvs; i++)
		if (recvs[i].bad || recvs[i].got != recvs[i].s->total ||
		    recvs[i].s->sent != recvs[i].s->total)
			ok = 0;
	printf("{\"ok\": %s, \"secs\": %.6f, \"cpu_s\": %.6f, "
	       "\"setup_cpu_s\": %.6f, "
	       "\"user_s\": %.6f, \"sys_s\": %.6f, \"rate\": %.0f, "
	       "\"ports\": %d, \"clients\": %d, \"extra\": %lld, \"streams\": [",
	       ok ? "true" : "false", wall, cpu, setup_cpu,
	       (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec * 1e-6,
	       (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec * 1e-6,
	       rate, nports, k, extra);
	for (int i = 0; i < nrecvs; i++) {
		struct recv *r = &recvs[i];
		int good = !r->bad && r->got == r->s->total &&
			   r->s->sent == r->s->total;

		printf("%s{\"port\": %d, \"dir\": \"%s\", \"client\": %d, "
		       "\"sent\": %zu, \"recv\": %zu, \"ok\": %s}",
		       i ? ", " : "", r->s->port, r->s->dir, r->client,
		       r->s->sent, r->got, good ? "true" : "false");
	}
	printf("]}\n");
	fflush(stdout);
	for (int i = 0; i < nends; i++) {
		fcntl(ends[i].fd, F_SETFL, ends[i].flags);
		if (ends[i].r && ends[i].r->client >= 0)
			close(ends[i].fd);
	}
	return ok ? 0 : 1;
}
