// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: serial and packing configuration over netlink and sysfs
 * (AT+UART, AT+UARTTL): defaults, changes, refusals.
 *
 * Runs inside the test VM (tools/vm/run) with the module loaded, as root.
 */
#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/capability.h>

#include "kselftest_harness.h"
#include "sernet_test.h"

FIXTURE(port) {
	int master, slave, idx;
	char name[32];
	struct sernet_nl nl;
};

FIXTURE_SETUP(port)
{
	ASSERT_EQ(0, open_pty(&self->master, &self->slave, self->name,
			      sizeof(self->name)));
	ASSERT_EQ(0, attach(self->slave));
	self->idx = sysfs_port_of(self->name);
	ASSERT_GE(self->idx, 0);
	ASSERT_EQ(0, sernet_nl_open(&self->nl));
}

FIXTURE_TEARDOWN(port)
{
	sernet_nl_close(&self->nl);
	close(self->slave);
	close(self->master);
}

static struct sernet_port_info get(struct __test_metadata *_metadata,
				   FIXTURE_DATA(port) *self)
{
	struct sernet_port_info p = { 0 };

	EXPECT_EQ(0, sernet_nl_get_port(&self->nl, self->idx, &p));
	return p;
}

/* The settings of two reads are the same (status and counters may move) */
static bool same_config(const struct sernet_port_info *a,
			const struct sernet_port_info *b)
{
	return !memcmp(&a->cfg, &b->cfg, sizeof(a->cfg));
}

/*
 * The automatic packing time, from PROTOCOLS.md section 2: 4 character
 * times at the line settings, never less than 100 us. A character on the
 * line is a start bit, the data bits, the parity bit if any and the stop
 * bits. The port reports it in whole microseconds, truncated (the kernel
 * keeps nanoseconds and divides by 1000): floor(4 * bits * 10^6 / baud).
 */
static uint32_t spec_auto_us(uint32_t baud, unsigned int databits,
			     unsigned int parity, unsigned int stopbits)
{
	uint64_t bits = 1 + databits + (parity != SERNET_PARITY_NONE) +
			stopbits;
	uint64_t us = 4 * bits * 1000000 / baud;

	return us < 100 ? 100 : us;
}

/* The packing time the port reports, over netlink and sysfs alike */
static void expect_auto_us(struct __test_metadata *_metadata,
			   struct sernet_nl *nl, int idx, uint32_t want)
{
	struct sernet_port_info p = { 0 };

	ASSERT_EQ(0, sernet_nl_get_port(nl, idx, &p));
	EXPECT_EQ(0, p.cfg.pack_time);
	EXPECT_EQ(want, p.pack_time_us);
	EXPECT_EQ(want, port_attr_ll(idx, "pack_time_us"));
}

static void expect_defaults(struct __test_metadata *_metadata,
			    struct sernet_port_info p)
{
	EXPECT_EQ(115200, p.cfg.baud);
	EXPECT_EQ(8, p.cfg.databits);
	EXPECT_EQ(1, p.cfg.stopbits);
	EXPECT_EQ(SERNET_PARITY_NONE, p.cfg.parity);
	EXPECT_EQ(SERNET_FLOW_NFC, p.cfg.flow);
	EXPECT_EQ(0, p.cfg.pack_time);
	EXPECT_EQ(0, p.cfg.pack_len);
}

/* A new port runs 115200 8N1 NFC, packing 0/0, on the tty itself. */
TEST_F(port, factory_defaults)
{
	struct termios t;
	char buf[32];

	expect_defaults(_metadata, get(_metadata, self));
	/* 4 characters of 10 bits at 115200 baud: 347.2 us */
	expect_auto_us(_metadata, &self->nl, self->idx,
		       spec_auto_us(115200, 8, SERNET_PARITY_NONE, 1));

	ASSERT_EQ(0, tcgetattr(self->slave, &t));
	EXPECT_EQ(B115200, cfgetospeed(&t));
	EXPECT_EQ(CS8, t.c_cflag & CSIZE);
	EXPECT_EQ(0, t.c_cflag & (CSTOPB | PARENB | CRTSCTS));
	EXPECT_EQ(0, t.c_lflag & (ICANON | ECHO));

	ASSERT_EQ(0, port_attr(self->idx, "baud", buf, sizeof(buf)));
	EXPECT_STREQ("115200", buf);
	ASSERT_EQ(0, port_attr(self->idx, "parity", buf, sizeof(buf)));
	EXPECT_STREQ("NONE", buf);
	ASSERT_EQ(0, port_attr(self->idx, "flow", buf, sizeof(buf)));
	EXPECT_STREQ("NFC", buf);
}

/* A SET reaches the tty's termios; GET and sysfs read it back. */
TEST_F(port, set_applies_to_the_tty)
{
	struct sernet_set set = {
		.mask = 1ULL << SERNET_A_UART_BAUD |
			1ULL << SERNET_A_UART_STOPBITS |
			1ULL << SERNET_A_UART_FLOW |
			1ULL << SERNET_A_PACK_LEN,
		.cfg = { .baud = 9600, .stopbits = 2, .flow = SERNET_FLOW_FC,
			 .pack_len = 512 },
	};
	struct sernet_port_info p;
	struct termios t;
	char buf[32];

	ASSERT_EQ(0, sernet_nl_set_port(&self->nl, self->idx, &set));
	p = get(_metadata, self);
	EXPECT_EQ(9600, p.cfg.baud);
	EXPECT_EQ(8, p.cfg.databits);
	EXPECT_EQ(2, p.cfg.stopbits);
	EXPECT_EQ(SERNET_FLOW_FC, p.cfg.flow);
	EXPECT_EQ(512, p.cfg.pack_len);
	EXPECT_EQ(0, p.cfg.pack_time);
	/* 4 characters of 1+8+2 bits at 9600 baud: 4583.3 us */
	EXPECT_EQ(spec_auto_us(9600, 8, SERNET_PARITY_NONE, 2), p.pack_time_us);

	ASSERT_EQ(0, tcgetattr(self->slave, &t));
	EXPECT_EQ(B9600, cfgetospeed(&t));
	EXPECT_EQ(CSTOPB | CRTSCTS,
		  t.c_cflag & (CSTOPB | PARENB | CRTSCTS));
	ASSERT_EQ(0, port_attr(self->idx, "flow", buf, sizeof(buf)));
	EXPECT_STREQ("FC", buf);

	/* a fixed packing time replaces the automatic one */
	set.mask = 1ULL << SERNET_A_PACK_TIME;
	set.cfg.pack_time = 20;
	ASSERT_EQ(0, sernet_nl_set_port(&self->nl, self->idx, &set));
	EXPECT_EQ(20000, get(_metadata, self).pack_time_us);
}

/*
 * A pty is always 8 bits without parity: asking for else is refused with
 * the reason, and nothing of the request is applied.
 */
TEST_F(port, pty_refuses_what_it_cannot_do)
{
	struct sernet_set set = {
		.mask = 1ULL << SERNET_A_UART_DATABITS |
			1ULL << SERNET_A_UART_BAUD,
		.cfg = { .databits = 7, .baud = 9600 },
	};

	EXPECT_EQ(-EINVAL, sernet_nl_set_port(&self->nl, self->idx, &set));
	EXPECT_STREQ("data bits not supported by this serial port",
		     self->nl.errmsg);
	set.mask = 1ULL << SERNET_A_UART_PARITY;
	set.cfg.parity = SERNET_PARITY_EVEN;
	EXPECT_EQ(-EINVAL, sernet_nl_set_port(&self->nl, self->idx, &set));
	EXPECT_STREQ("parity not supported by this serial port",
		     self->nl.errmsg);
	expect_defaults(_metadata, get(_metadata, self));
}

/* A rate that is not a Bxxx constant goes through BOTHER. */
TEST_F(port, nonstandard_baud)
{
	struct sernet_set set = { .mask = 1ULL << SERNET_A_UART_BAUD,
				  .cfg.baud = 123457 };

	ASSERT_EQ(0, sernet_nl_set_port(&self->nl, self->idx, &set));
	EXPECT_EQ(123457, get(_metadata, self).cfg.baud);
}

/* Changes made with stty are what GET shows. */
TEST_F(port, stty_changes_are_seen)
{
	struct termios t;

	ASSERT_EQ(0, tcgetattr(self->slave, &t));
	cfsetspeed(&t, B19200);
	t.c_cflag |= CSTOPB;
	ASSERT_EQ(0, tcsetattr(self->slave, TCSANOW, &t));
	EXPECT_EQ(19200, get(_metadata, self).cfg.baud);
	EXPECT_EQ(2, get(_metadata, self).cfg.stopbits);
	/* 4 characters of 1+8+2 bits at 19200 baud: 2291.67 us, truncated */
	expect_auto_us(_metadata, &self->nl, self->idx,
		       spec_auto_us(19200, 8, SERNET_PARITY_NONE, 2));
}

/*
 * The automatic time at rates of either side of the 100 us floor: 4
 * characters of 10 bits take 43.4 us at 921600 baud and 39.1 us at
 * 1024000 (both reported as 100), 173.6 us at 230400 (not raised to the
 * floor) and 66666.7 us at 600.
 */
TEST_F(port, auto_packing_time_and_its_floor)
{
	static const uint32_t rates[] = { 921600, 1024000, 230400, 600 };

	EXPECT_EQ(100, spec_auto_us(921600, 8, SERNET_PARITY_NONE, 1));
	EXPECT_EQ(100, spec_auto_us(1024000, 8, SERNET_PARITY_NONE, 1));
	for (size_t i = 0; i < sizeof(rates) / sizeof(rates[0]); i++) {
		struct sernet_set set = { .mask = 1ULL << SERNET_A_UART_BAUD,
					  .cfg.baud = rates[i] };

		ASSERT_EQ(0, sernet_nl_set_port(&self->nl, self->idx, &set));
		TH_LOG("%u baud", rates[i]);
		expect_auto_us(_metadata, &self->nl, self->idx,
			       spec_auto_us(rates[i], 8, SERNET_PARITY_NONE, 1));
	}
}

/* n bytes from fd (a TCP client), within 10 s */
static bool recv_all(int fd, size_t n)
{
	char buf[4096];

	while (n) {
		struct pollfd p = { .fd = fd, .events = POLLIN };
		ssize_t r;

		if (poll(&p, 1, 10000) != 1)
			return false;
		r = read(fd, buf, n < sizeof(buf) ? n : sizeof(buf));
		if (r <= 0)
			return false;
		n -= r;
	}
	return true;
}

/*
 * Packing length 0 means 1460 bytes (PROTOCOLS.md section 2) and is
 * reported as 0. With a packing time of 255 ms, the longest, only the
 * length closes a packet early: 1461 bytes at once are 2 packets (so the
 * length is at most 1460), 2920 more are 2 more (so it is at least 1460).
 * The client has every byte only once every packet closed.
 */
TEST_F(port, pack_len_0_is_1460)
{
	struct sernet_set set = { .mask = 1ULL << SERNET_A_PACK_TIME,
				  .cfg.pack_time = 255 };
	struct sockaddr_in sin = { .sin_family = AF_INET,
				   .sin_port = htons(23),
				   .sin_addr.s_addr = htonl(INADDR_LOOPBACK) };
	static char data[2920];
	int c;

	ASSERT_EQ(0, sernet_nl_set_port(&self->nl, self->idx, &set));
	EXPECT_EQ(0, get(_metadata, self).cfg.pack_len);
	ASSERT_TRUE(WAIT_FOR(get(_metadata, self).state ==
			     SERNET_PORT_STATE_LISTEN, 5000));
	c = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
	ASSERT_LE(0, c);
	ASSERT_EQ(0, connect(c, (struct sockaddr *)&sin, sizeof(sin)));
	ASSERT_TRUE(WAIT_FOR(get(_metadata, self).state ==
			     SERNET_PORT_STATE_CONNECTED, 5000));
	memset(data, 'p', sizeof(data));

	ASSERT_EQ(1461, write(self->master, data, 1461));
	ASSERT_TRUE(recv_all(c, 1461));
	EXPECT_EQ(2, port_attr_ll(self->idx, "statistics/rx_packets"));
	ASSERT_EQ(2920, write(self->master, data, 2920));
	ASSERT_TRUE(recv_all(c, 2920));
	EXPECT_EQ(4, port_attr_ll(self->idx, "statistics/rx_packets"));
	close(c);
}

struct bad_value {
	int attr;
	int bits;
	uint32_t value;
};

/* Every value outside the K3's ranges is refused, naming the setting. */
TEST_F(port, set_refuses_out_of_range)
{
	static const struct bad_value bad[] = {
		{ SERNET_A_UART_BAUD, 32, 599 },
		{ SERNET_A_UART_BAUD, 32, 1024001 },
		{ SERNET_A_UART_DATABITS, 8, 4 },
		{ SERNET_A_UART_DATABITS, 8, 9 },
		{ SERNET_A_UART_STOPBITS, 8, 0 },
		{ SERNET_A_UART_STOPBITS, 8, 3 },
		{ SERNET_A_UART_PARITY, 8, 5 },
		{ SERNET_A_UART_FLOW, 8, 2 },
		{ SERNET_A_PACK_TIME, 16, 256 },
		{ SERNET_A_PACK_LEN, 16, 1461 },
	};
	struct sernet_port_info before = get(_metadata, self), after;

	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		struct sernet_set set = { .mask = 1ULL << bad[i].attr };
		char want[64];

		sernet_setting_put(&set.cfg, sernet_setting_find(bad[i].attr),
				   bad[i].value);
		/* a good value beside the bad one is not applied either */
		set.mask |= 1ULL << SERNET_A_PACK_LEN | 1ULL << SERNET_A_UART_BAUD;
		if (bad[i].attr != SERNET_A_PACK_LEN)
			set.cfg.pack_len = 100;
		if (bad[i].attr != SERNET_A_UART_BAUD)
			set.cfg.baud = 9600;
		/* the policy's range check answers ERANGE */
		EXPECT_EQ(-ERANGE, sernet_nl_set_port(&self->nl, self->idx,
						      &set));
		snprintf(want, sizeof(want), "%s: ",
			 sernet_attr_name(bad[i].attr));
		if (strncmp(self->nl.errmsg, want, strlen(want)) ||
		    !strstr(self->nl.errmsg, "allowed")) {
			TH_LOG("value %u: \"%s\" does not name %s and its range",
			       bad[i].value, self->nl.errmsg, want);
			_metadata->passed = 0;
		}
	}
	after = get(_metadata, self);
	EXPECT_TRUE(same_config(&before, &after));
	expect_defaults(_metadata, after);
}

/* Wrong sizes and unknown attributes are refused too. */
TEST_F(port, set_refuses_malformed)
{
	struct sernet_set set = { .mask = 1ULL << SERNET_A_UART_BAUD,
				  .cfg.baud = 9600 };
	struct nl_sock *sk = nl_socket_alloc();
	uint16_t big = 9600;
	struct nl_msg *msg;
	int family;

	ASSERT_NE(NULL, sk);
	ASSERT_EQ(0, genl_connect(sk));
	family = genl_ctrl_resolve(sk, SERNET_GENL_NAME);

	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
		    SERNET_CMD_PORT_SET, 1);
	nla_put_u32(msg, SERNET_A_PORT_INDEX, self->idx);
	nla_put(msg, SERNET_A_UART_BAUD, sizeof(big), &big);
	ASSERT_GE(nl_send_auto(sk, msg), 0);
	nlmsg_free(msg);
	EXPECT_GT(0, nl_wait_for_ack(sk));

	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
		    SERNET_CMD_PORT_SET, 1);
	nla_put_u32(msg, SERNET_A_PORT_INDEX, self->idx);
	nla_put_u32(msg, SERNET_A_PACK_TIME_US, 5);	/* read only */
	ASSERT_GE(nl_send_auto(sk, msg), 0);
	nlmsg_free(msg);
	EXPECT_GT(0, nl_wait_for_ack(sk));

	/* an address that is neither 4 nor 16 bytes */
	msg = nlmsg_alloc();
	genlmsg_put(msg, NL_AUTO_PORT, NL_AUTO_SEQ, family, 0, 0,
		    SERNET_CMD_PORT_SET, 1);
	nla_put_u32(msg, SERNET_A_PORT_INDEX, self->idx);
	nla_put(msg, SERNET_A_SOCK_ADDR, 5, "\x7f\0\0\x01\0");
	ASSERT_GE(nl_send_auto(sk, msg), 0);
	nlmsg_free(msg);
	EXPECT_EQ(-NLE_INVAL, nl_wait_for_ack(sk));

	/* an index that is no port */
	EXPECT_EQ(-ENODEV, sernet_nl_set_port(&self->nl, 999999, &set));
	EXPECT_STREQ("port: no such port", self->nl.errmsg);
	nl_socket_free(sk);
	expect_defaults(_metadata, get(_metadata, self));
}

static int drop_net_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].effective &= ~CAP_TO_MASK(CAP_NET_ADMIN);
	return syscall(SYS_capset, &hdr, data);
}

/* Changing a port needs CAP_NET_ADMIN; reading it does not. */
TEST_F(port, set_needs_cap_net_admin)
{
	int status;
	pid_t pid = fork();

	ASSERT_GE(pid, 0);
	if (!pid) {
		struct sernet_set set = { .mask = 1ULL << SERNET_A_UART_BAUD,
					  .cfg.baud = 9600 };
		struct sernet_port_info p;
		struct sernet_nl nl;

		if (drop_net_admin() || sernet_nl_open(&nl))
			_exit(10);
		if (sernet_nl_get_port(&nl, self->idx, &p))
			_exit(11);
		_exit(sernet_nl_set_port(&nl, self->idx, &set) == -EPERM ?
		      0 : 12);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_EQ(0, WEXITSTATUS(status));
	expect_defaults(_metadata, get(_metadata, self));
}

static int write_attr(int idx, const char *attr, const char *val)
{
	char path[PATH_MAX];
	int fd, ret;

	snprintf(path, sizeof(path), SYSFS_CLASS "/sernet%d/%s", idx, attr);
	fd = open(path, O_WRONLY);
	if (fd < 0)
		return -errno;
	ret = write(fd, val, strlen(val)) < 0 ? -errno : 0;
	close(fd);
	return ret;
}

/* sysfs takes one value a file, with the same checks. */
TEST_F(port, sysfs_writes)
{
	struct sernet_port_info p, q;
	char buf[64];

	EXPECT_EQ(0, write_attr(self->idx, "baud", "57600"));
	EXPECT_EQ(0, write_attr(self->idx, "stopbits", "2"));
	EXPECT_EQ(0, write_attr(self->idx, "flow", "FC\n"));
	EXPECT_EQ(0, write_attr(self->idx, "pack_time", "255"));
	EXPECT_EQ(0, write_attr(self->idx, "pack_len", "1460"));
	p = get(_metadata, self);
	EXPECT_EQ(57600, p.cfg.baud);
	EXPECT_EQ(2, p.cfg.stopbits);
	EXPECT_EQ(SERNET_FLOW_FC, p.cfg.flow);
	EXPECT_EQ(255, p.cfg.pack_time);
	EXPECT_EQ(1460, p.cfg.pack_len);
	EXPECT_EQ(255000, port_attr_ll(self->idx, "pack_time_us"));

	EXPECT_EQ(-ERANGE, write_attr(self->idx, "baud", "599"));
	EXPECT_EQ(-ERANGE, write_attr(self->idx, "baud", "1024001"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "baud", "fast"));
	EXPECT_EQ(-ERANGE, write_attr(self->idx, "databits", "9"));
	/* in range, but not for a pty */
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "databits", "7"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "parity", "ODD"));
	EXPECT_EQ(-ERANGE, write_attr(self->idx, "stopbits", "0"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "parity", "MAYBE"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "flow", "XON"));
	EXPECT_EQ(-ERANGE, write_attr(self->idx, "pack_time", "256"));
	EXPECT_EQ(-ERANGE, write_attr(self->idx, "pack_len", "1461"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "pack_len", "-1"));
	EXPECT_EQ(-EACCES, write_attr(self->idx, "pack_time_us", "1"));
	/* stored and shown only: the port is a TCP server */
	EXPECT_EQ(0, write_attr(self->idx, "ip", "::1\n"));
	ASSERT_EQ(0, port_attr(self->idx, "ip", buf, sizeof(buf)));
	EXPECT_STREQ("::1", buf);
	EXPECT_EQ(0, write_attr(self->idx, "ip", "192.168.0.7"));
	ASSERT_EQ(0, port_attr(self->idx, "ip", buf, sizeof(buf)));
	EXPECT_STREQ("192.168.0.7", buf);
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "ip", "1.2.3"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "ip", "::g"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "ip", "127.0.0.1x"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "socksl", "MAYBE"));
	EXPECT_EQ(-ERANGE, write_attr(self->idx, "shorto", "1"));
	EXPECT_EQ(-ERANGE, write_attr(self->idx, "sockton", "100000"));
	EXPECT_EQ(-EINVAL, write_attr(self->idx, "protocol", "HTPC"));
	/* nothing changed */
	q = get(_metadata, self);
	EXPECT_TRUE(same_config(&p, &q));
}

/* ttyS1 if a UART answered there (type 0 is PORT_UNKNOWN), else -1 */
static int open_uart(void)
{
	char buf[32];

	if (read_file("/sys/class/tty/ttyS1/type", buf, sizeof(buf)) ||
	    !strcmp(buf, "0"))
		return -1;
	return open("/dev/ttyS1", O_RDWR | O_NOCTTY | O_NONBLOCK);
}

/*
 * The 8250 cannot go faster than its clock: such a rate is refused, and
 * the rest of the same request is not applied.
 */
TEST(uart_8250_refuses_impossible_baud)
{
	struct sernet_set set = {
		.mask = 1ULL << SERNET_A_UART_BAUD | 1ULL << SERNET_A_PACK_LEN,
		.cfg.baud = 1000000, .cfg.pack_len = 100,
	};
	struct sernet_port_info p = { 0 };
	struct sernet_nl nl;
	char buf[32];
	int fd, idx;

	fd = open_uart();
	if (fd < 0)
		SKIP(return, "no UART at ttyS1");
	ASSERT_EQ(0, attach(fd));
	idx = sysfs_port_of("ttyS1");
	ASSERT_GE(idx, 0);
	ASSERT_EQ(0, sernet_nl_open(&nl));
	EXPECT_EQ(-EINVAL, sernet_nl_set_port(&nl, idx, &set));
	EXPECT_NE(NULL, strstr(nl.errmsg, "not supported"));
	ASSERT_EQ(0, sernet_nl_get_port(&nl, idx, &p));
	EXPECT_EQ(115200, p.cfg.baud);
	/* all or nothing: the packing length beside it was not applied */
	EXPECT_EQ(0, p.cfg.pack_len);
	set.cfg.baud = 57600;
	EXPECT_EQ(0, sernet_nl_set_port(&nl, idx, &set));
	ASSERT_EQ(0, sernet_nl_get_port(&nl, idx, &p));
	EXPECT_EQ(57600, p.cfg.baud);
	EXPECT_EQ(100, p.cfg.pack_len);

	/* a UART does data bits and every parity, MARK and SPACE too */
	for (int par = SERNET_PARITY_NONE; par <= SERNET_PARITY_SPACE; par++) {
		set.mask = 1ULL << SERNET_A_UART_PARITY |
			   1ULL << SERNET_A_UART_DATABITS;
		set.cfg.parity = par;
		set.cfg.databits = 5 + par % 4;
		EXPECT_EQ(0, sernet_nl_set_port(&nl, idx, &set));
		ASSERT_EQ(0, sernet_nl_get_port(&nl, idx, &p));
		EXPECT_EQ(par, p.cfg.parity);
		EXPECT_EQ(5 + par % 4, p.cfg.databits);
	}
	ASSERT_EQ(0, port_attr(idx, "parity", buf, sizeof(buf)));
	EXPECT_STREQ("SPACE", buf);
	sernet_nl_close(&nl);
	EXPECT_EQ(0, detach(fd));
	close(fd);
}

/*
 * The automatic packing time counts the parity bit: 4 characters of
 * 1+8+1+1 bits at 600 baud are 73333.3 us, of 1+7+1+1 bits at 9600 baud
 * 4166.7 us. A pty has no parity: this needs the 8250.
 */
TEST(uart_8250_auto_packing_time_with_parity)
{
	static const struct sernet_settings line[] = {
		{ .baud = 600, .databits = 8, .parity = SERNET_PARITY_EVEN,
		  .stopbits = 1 },
		{ .baud = 9600, .databits = 7, .parity = SERNET_PARITY_ODD,
		  .stopbits = 1 },
	};
	struct sernet_nl nl;
	int fd, idx;

	fd = open_uart();
	if (fd < 0)
		SKIP(return, "no UART at ttyS1");
	ASSERT_EQ(0, attach(fd));
	idx = sysfs_port_of("ttyS1");
	ASSERT_GE(idx, 0);
	ASSERT_EQ(0, sernet_nl_open(&nl));
	for (size_t i = 0; i < sizeof(line) / sizeof(line[0]); i++) {
		struct sernet_set set = {
			.mask = 1ULL << SERNET_A_UART_BAUD |
				1ULL << SERNET_A_UART_DATABITS |
				1ULL << SERNET_A_UART_PARITY |
				1ULL << SERNET_A_UART_STOPBITS,
			.cfg = line[i],
		};

		ASSERT_EQ(0, sernet_nl_set_port(&nl, idx, &set));
		TH_LOG("%u baud, %u data bits, parity %s", line[i].baud,
		       line[i].databits, sernet_parity_str(line[i].parity));
		expect_auto_us(_metadata, &nl, idx,
			       spec_auto_us(line[i].baud, line[i].databits,
					    line[i].parity, line[i].stopbits));
	}
	sernet_nl_close(&nl);
	EXPECT_EQ(0, detach(fd));
	close(fd);
}

TEST_HARNESS_MAIN
