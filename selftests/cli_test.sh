#!/bin/bash
# SPDX-License-Identifier: GPL-2.0
#
# sernetctl against the module, on the 8250 UART ttyS1 attached with
# ldattach as a user would. Runs inside tools/vm/run; prints KTAP.
set -u

n=0
fail=0
tmp=$(mktemp -d)
ldpid=

cleanup() {
	[ -n "$ldpid" ] && kill "$ldpid" 2>/dev/null && wait "$ldpid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT

ok() { n=$((n + 1)); echo "ok $n $1"; }
not_ok() { n=$((n + 1)); echo "not ok $n $1"; fail=1; }
check() { # name command...
	local name=$1; shift
	if "$@" >"$tmp/out" 2>"$tmp/err"; then ok "$name"; else
		not_ok "$name"; sed 's/^/# /' "$tmp/out" "$tmp/err"; fi
}
# exits STATUS CMD...: CMD exits with STATUS; its output is kept in
# $tmp/cmd.out and $tmp/cmd.err for the checks that follow
exits() {
	local want=$1 rc; shift
	"$@" >"$tmp/cmd.out" 2>"$tmp/cmd.err"
	rc=$?
	[ "$rc" = "$want" ] && return 0
	echo "$* exited $rc, not $want"
	sed 's/^/  /' "$tmp/cmd.out" "$tmp/cmd.err"
	return 1
}
# err_is TEXT: the last command's stderr is exactly TEXT, stdout empty
err_is() {
	[ "$(cat "$tmp/cmd.err")" = "$1" ] && [ ! -s "$tmp/cmd.out" ] && return 0
	echo "expected only \"$1\" on stderr, got:"
	sed 's/^/  /' "$tmp/cmd.out" "$tmp/cmd.err"
	return 1
}

echo "TAP version 13"
echo "1..13"

if [ ! -c /dev/ttyS1 ]; then
	for i in $(seq 1 13); do echo "ok $i # SKIP no /dev/ttyS1"; done
	exit 0
fi

check "show with no port prints only the header" \
	bash -c '[ "$(sernetctl show | wc -l)" = 1 ] && sernetctl show | grep -q "^PORT  *TTY  *STATE"'

# -d keeps ldattach in the foreground, so that killing it detaches
ldattach -d 29 /dev/ttyS1 2>"$tmp/ldattach.log" &
ldpid=$!
for _ in $(seq 1 100); do
	[ -n "$(ls /sys/class/sernet 2>/dev/null)" ] && break
	sleep 0.1
done

check "show lists the port attached by ldattach" \
	bash -c 'sernetctl show | grep -Eq "^sernet[0-9]+ +ttyS1 +LISTEN +115200,8,1,NONE,NFC +0,0 +[0-9]+$"'

check "show --json is valid JSON describing the port" \
	bash -c 'sernetctl show --json | /usr/bin/python3 -c "
import json, sys
ports = json.load(sys.stdin)
assert len(ports) == 1, ports
p = ports[0]
assert p[\"tty\"] == \"ttyS1\" and p[\"state\"] == \"LISTEN\", p
assert p[\"socket\"] == {\"protocol\": \"TCPS\", \"ip\": \"192.168.0.7\", \"port\": 23, \"local_port\": 0, \"socksl\": False, \"shorto\": 3, \"sockton\": 86400, \"udpon\": False, \"max_clients\": 8, \"full\": \"refuse\"}, p
assert p[\"port\"] == \"sernet%d\" % p[\"index\"], p
assert isinstance(p[\"statistics\"][\"rx_bytes\"], int), p
assert p[\"uart\"] == {\"baud\": 115200, \"databits\": 8, \"stopbits\": 1, \"parity\": \"NONE\", \"flow\": \"NFC\"}, p
assert p[\"uarttl\"] == {\"time\": 0, \"length\": 0, \"time_us\": 347, \"uartclbuf\": False}, p
"'

idx=$(sernetctl show --json | /usr/bin/python3 -c 'import json,sys; print(json.load(sys.stdin)[0]["index"])')
check "show PORT by name, index and tty agree" \
	bash -c "a=\$(sernetctl show sernet$idx) && b=\$(sernetctl show $idx) &&
		c=\$(sernetctl show ttyS1) && d=\$(sernetctl show /dev/ttyS1) &&
		[ \"\$a\" = \"\$b\" ] && [ \"\$a\" = \"\$c\" ] && [ \"\$a\" = \"\$d\" ] &&
		echo \"\$a\" | grep -q ttyS1"

check "show of a missing port fails with a clear message" \
	bash -c 'sernetctl show sernet999 2>&1 >/dev/null | grep -q "sernet999: no such port" &&
		! sernetctl show sernet999 2>/dev/null &&
		sernetctl show ttyS7 2>&1 | grep -q "ttyS7: no such port"'

# Every part must hold: the status, the message and the usage text.
bad_usage() {
	exits 2 sernetctl frobnicate &&
		[ "$(head -n 1 "$tmp/cmd.err")" = 'sernetctl: unknown command "frobnicate"' ] &&
		grep -q '^Usage: sernetctl \[--help\] \[--version\] COMMAND \[ARGS\]$' "$tmp/cmd.err" &&
		grep -q '^Exit status: 0 on success, 1 on an error, 2 on a usage error\.$' "$tmp/cmd.err" &&
		[ ! -s "$tmp/cmd.out" ] &&
		exits 2 sernetctl &&
		grep -q '^Usage: sernetctl ' "$tmp/cmd.err" && [ ! -s "$tmp/cmd.out" ] &&
		exits 2 sernetctl show a b &&
		err_is "sernetctl: show takes at most one PORT"
}
check "bad usage exits 2 with usage" bad_usage

check "set changes the UART and packing, as AT+UART and AT+UARTTL" \
	bash -c 'sernetctl set ttyS1 uart 9600,7,2,EVEN,NFC uarttl 10,100 &&
		sernetctl show ttyS1 | grep -q "^  uart      9600,7,2,EVEN,NFC$" &&
		sernetctl show ttyS1 | grep -q "^  uarttl    10,100 (packing time 10000 us, length 100)$" &&
		stty -F /dev/ttyS1 -a | grep -q "speed 9600 baud" &&
		stty -F /dev/ttyS1 -a | grep -Eq "(^| )cs7( |$)" &&
		stty -F /dev/ttyS1 -a | grep -Eq "(^| )parenb -parodd( |$)" &&
		sernetctl set ttyS1 baud 115200 databits 8 stopbits 1 parity none packtime 0 packlen 0 &&
		sernetctl show ttyS1 | grep -q "^  uarttl    0,0 (packing time 347 us, length 1460)$"'

check "set refuses an out-of-range value, naming it and its range" \
	bash -c 'before=$(sernetctl show ttyS1)
		! sernetctl set ttyS1 baud 599 uarttl 5,5 2>"$0" &&
		grep -q "^sernetctl: ttyS1: baud: .*(allowed 600\.\.1024000)$" "$0" &&
		[ "$(sernetctl show ttyS1)" = "$before" ]' "$tmp/err1"

check "set refuses what the UART cannot do, changing nothing" \
	bash -c 'before=$(sernetctl show ttyS1)
		! sernetctl set ttyS1 baud 1000000 2>"$0" &&
		grep -q "^sernetctl: ttyS1: baud rate not supported by this serial port$" "$0" &&
		[ "$(sernetctl show ttyS1)" = "$before" ]' "$tmp/err2"

bad_words() {
	local before
	before=$(sernetctl show ttyS1) &&
		exits 2 sernetctl set ttyS1 speed 9600 &&
		err_is 'sernetctl: unknown setting "speed"' &&
		exits 2 sernetctl set ttyS1 baud &&
		err_is "sernetctl: settings come as KEY VALUE pairs" &&
		exits 2 sernetctl set ttyS1 &&
		err_is "sernetctl: settings come as KEY VALUE pairs" &&
		exits 2 sernetctl set &&
		err_is "sernetctl: set PORT KEY VALUE ..." &&
		[ "$(sernetctl show ttyS1)" = "$before" ]
}
check "set with bad words is a usage error" bad_words

check "sysfs shows the port" \
	bash -c "[ \"\$(cat /sys/class/sernet/sernet$idx/tty_name)\" = ttyS1 ] &&
		[ \"\$(cat /sys/class/sernet/sernet$idx/state)\" = LISTEN ] &&
		[ -e /sys/class/sernet/sernet$idx/tty/dev ]"

kill "$ldpid"; wait "$ldpid" 2>/dev/null; ldpid=
check "killing ldattach removes the port" \
	bash -c 'for _ in $(seq 1 50); do [ -z "$(ls /sys/class/sernet)" ] && break; sleep 0.1; done
		[ -z "$(ls /sys/class/sernet)" ] && [ "$(sernetctl show | wc -l)" = 1 ]'

# Each step counts, and the module is back at the end (later tests use it).
without_module() {
	local r=0
	rmmod sernet || return 1
	[ ! -e /sys/module/sernet ] || { echo "rmmod left /sys/module/sernet"; r=1; }
	exits 1 sernetctl show &&
		err_is 'sernetctl: generic netlink family "sernet" not found: is the sernet module loaded?' ||
		r=1
	insmod "$SERNET_KO" || { echo "insmod $SERNET_KO failed"; return 1; }
	[ -d /sys/module/sernet ] || { echo "insmod left no /sys/module/sernet"; return 1; }
	exits 0 sernetctl show && [ "$(wc -l <"$tmp/cmd.out")" = 1 ] || r=1
	return "$r"
}
check "without the module show says so; insmod brings it back" without_module

exit $fail
