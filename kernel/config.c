// SPDX-License-Identifier: GPL-2.0
/*
 * sernet: a port's serial and packing configuration (AT+UART, AT+UARTTL).
 *
 * The tty's termios is the one record of the serial settings: a SET
 * writes it with tty_set_termios(), GET reads it back, and a change made
 * from userspace (stty) is seen the same way. Packing lives in the port.
 */
#define pr_fmt(fmt) KBUILD_MODNAME ": " fmt

#include <linux/math64.h>
#include <linux/string.h>
#include <linux/tty.h>

#include "sernet.h"

/* A rate the driver picked this far from the one asked for is refused */
#define SERNET_BAUD_TOLERANCE_PCT	2

void sernet_config_defaults(struct sernet_config *cfg)
{
	const struct sernet_setting *s;

	/* the K3's default server: stored and shown, never dialled unless
	 * a client mode is chosen
	 */
	*cfg = (struct sernet_config) {
		.addr_len	= 4,
		.addr		= { 192, 168, 0, 7 },
	};
	for (s = sernet_settings; s < SERNET_SETTINGS_END; s++)
		if (s->type != NLA_BINARY)
			*sernet_setting_at(s, cfg) = s->def;
}

/* Serial settings as the tty has them now; caller holds termios_rwsem. */
static void sernet_serial_from_termios(const struct ktermios *t,
				       struct sernet_config *cfg)
{
	tcflag_t c = t->c_cflag;

	cfg->baud = tty_termios_baud_rate(t);
	cfg->databits = tty_get_char_size(c);
	cfg->stopbits = c & CSTOPB ? 2 : 1;
	if (!(c & PARENB))
		cfg->parity = SERNET_PARITY_NONE;
	else if (c & CMSPAR)
		cfg->parity = c & PARODD ? SERNET_PARITY_MARK :
					   SERNET_PARITY_SPACE;
	else
		cfg->parity = c & PARODD ? SERNET_PARITY_ODD :
					   SERNET_PARITY_EVEN;
	cfg->flow = c & CRTSCTS ? SERNET_FLOW_FC : SERNET_FLOW_NFC;
}

static void sernet_serial_to_termios(const struct sernet_config *cfg,
				     struct ktermios *t)
{
	static const tcflag_t csize[] = { CS5, CS6, CS7, CS8 };
	tcflag_t c = t->c_cflag;

	c &= ~(CSIZE | CSTOPB | PARENB | PARODD | CMSPAR | CRTSCTS);
	c |= csize[cfg->databits - 5] | CREAD | CLOCAL;
	if (cfg->stopbits == 2)
		c |= CSTOPB;
	switch (cfg->parity) {
	case SERNET_PARITY_ODD:
		c |= PARENB | PARODD;
		break;
	case SERNET_PARITY_EVEN:
		c |= PARENB;
		break;
	case SERNET_PARITY_MARK:
		c |= PARENB | CMSPAR | PARODD;
		break;
	case SERNET_PARITY_SPACE:
		c |= PARENB | CMSPAR;
		break;
	}
	if (cfg->flow == SERNET_FLOW_FC)
		c |= CRTSCTS;
	t->c_cflag = c;
	/* raw: what the line carries is data, nothing is interpreted */
	t->c_iflag &= ~(IGNBRK | BRKINT | PARMRK | ISTRIP | INLCR | IGNCR |
			ICRNL | IXON | IXOFF | IXANY);
	t->c_oflag &= ~OPOST;
	t->c_lflag &= ~(ECHO | ECHONL | ICANON | ISIG | IEXTEN);
	tty_termios_encode_baud_rate(t, cfg->baud, cfg->baud);
}

/* The whole configuration as it is now; caller holds port->lock. */
void sernet_config_get(struct sernet_port *port, struct sernet_config *cfg)
{
	*cfg = port->cfg;
	if (port->tty) {
		down_read(&port->tty->termios_rwsem);
		sernet_serial_from_termios(&port->tty->termios, cfg);
		up_read(&port->tty->termios_rwsem);
	}
}

/* What the driver did not take of @want, named for the log, or NULL */
static const char *sernet_serial_refused(const struct sernet_config *want,
					 const struct sernet_config *got,
					 struct netlink_ext_ack *extack)
{
	if (abs((s64)got->baud - want->baud) * 100 >
	    (s64)want->baud * SERNET_BAUD_TOLERANCE_PCT) {
		NL_SET_ERR_MSG(extack,
			       "baud rate not supported by this serial port");
		return "baud rate";
	}
	if (got->databits != want->databits) {
		NL_SET_ERR_MSG(extack,
			       "data bits not supported by this serial port");
		return "data bits";
	}
	if (got->stopbits != want->stopbits) {
		NL_SET_ERR_MSG(extack,
			       "stop bits not supported by this serial port");
		return "stop bits";
	}
	if (got->parity != want->parity) {
		NL_SET_ERR_MSG(extack,
			       "parity not supported by this serial port");
		return "parity";
	}
	if (got->flow != want->flow) {
		NL_SET_ERR_MSG(extack,
			       "flow control not supported by this serial port");
		return "flow control";
	}
	return NULL;
}

/*
 * Write the serial settings to the tty. Drivers adjust what they cannot
 * do (a pty is always 8 bits without parity, an 8250 rounds the rate to
 * its clock): read back, and if the result is not what was asked for,
 * put the old settings back and refuse.
 */
static int sernet_apply_serial(struct sernet_port *port,
			       const struct sernet_config *cfg,
			       struct netlink_ext_ack *extack)
{
	struct tty_struct *tty = port->tty;
	struct sernet_config got;
	struct ktermios old, t;
	const char *why;

	down_read(&tty->termios_rwsem);
	old = tty->termios;
	up_read(&tty->termios_rwsem);

	t = old;
	sernet_serial_to_termios(cfg, &t);
	tty_set_termios(tty, &t);

	down_read(&tty->termios_rwsem);
	sernet_serial_from_termios(&tty->termios, &got);
	sernet_pack_termios_changed(port, &tty->termios);
	up_read(&tty->termios_rwsem);

	why = sernet_serial_refused(cfg, &got, extack);
	if (!why)
		return 0;

	tty_set_termios(tty, &old);
	down_read(&tty->termios_rwsem);
	sernet_pack_termios_changed(port, &tty->termios);
	up_read(&tty->termios_rwsem);
	pr_info_ratelimited("%s: %s not supported\n", port->tty_name,
			    why);
	return -EINVAL;
}

/*
 * Apply the fields of @cfg that @mask (BIT(SERNET_A_...)) names, all or
 * nothing. Ranges were checked by the caller (netlink policy or sysfs).
 * A new socket that cannot start (no memory) puts the old settings back,
 * serial ones included, and the old transport with them.
 */
int sernet_config_set(struct sernet_port *port, const struct sernet_config *cfg,
		      u64 mask, struct netlink_ext_ack *extack)
{
	const u64 serial = mask & sernet_settings_mask(SERNET_APPLY_SERIAL);
	const u64 restart = mask & sernet_settings_mask(SERNET_APPLY_RESTART);
	const u64 live = mask & sernet_settings_mask(SERNET_APPLY_LIVE);
	struct sernet_config now, old;
	int err = 0;

	mutex_lock(&port->lock);
	if (!port->tty) {
		err = -ENODEV;
		goto out;
	}
	sernet_config_get(port, &now);
	old = now;
	if (serial) {
		sernet_settings_copy(&now, cfg, serial);
		err = sernet_apply_serial(port, &now, extack);
		if (err)
			goto out;
	}
	/*
	 * A change of the socket restarts the transport, only it; so does
	 * SERNET_A_PORT_RESTART in @mask (AT+Z, RSTIM) with no change.
	 */
	if (sernet_settings_differ(cfg, &port->cfg, restart) ||
	    (mask & BIT_ULL(SERNET_A_PORT_RESTART))) {
		sernet_xport_stop(port);
		sernet_settings_copy(&port->cfg, cfg, restart);
		err = sernet_xport_start(port);
		if (err) {
			sernet_settings_copy(&port->cfg, &old, restart);
			if (sernet_xport_start(port))
				pr_warn_ratelimited("%s: cannot restart\n",
						    port->tty_name);
			if (serial)
				sernet_apply_serial(port, &old, NULL);
			NL_SET_ERR_MSG(extack,
				       "cannot start the new socket: nothing changed");
			goto out;
		}
	}
	sernet_settings_copy(&port->cfg, cfg, live);
out:
	mutex_unlock(&port->lock);
	return err;
}

/* A new port runs the factory defaults: 115200 8N1 NFC, packing 0/0. */
void sernet_config_init(struct sernet_port *port)
{
	struct sernet_config def;

	sernet_config_defaults(&def);
	port->cfg = def;
	if (sernet_apply_serial(port, &def, NULL))
		pr_warn("%s cannot run %u 8N1 NFC; keeping its settings\n",
			port->tty_name, def.baud);
}
