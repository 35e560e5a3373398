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

echo "TAP version 13"
echo "1..9"

if [ ! -c /dev/ttyS1 ]; then
	for i in $(seq 1 9); do echo "ok $i # SKIP no /dev/ttyS1"; done
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
	bash -c 'sernetctl show | grep -Eq "^sernet[0-9]+ +ttyS1 +IDLE +[0-9]+$"'

check "show --json is valid JSON describing the port" \
	bash -c 'sernetctl show --json | /usr/bin/python3 -c "
import json, sys
ports = json.load(sys.stdin)
assert len(ports) == 1, ports
p = ports[0]
assert p[\"tty\"] == \"ttyS1\" and p[\"state\"] == \"IDLE\", p
assert p[\"port\"] == \"sernet%d\" % p[\"index\"], p
assert isinstance(p[\"statistics\"][\"rx_bytes\"], int), p
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

check "bad usage exits 2 with usage" \
	bash -c 'sernetctl frobnicate 2>&1 | grep -q Usage; sernetctl frobnicate 2>/dev/null; [ $? = 2 ] &&
		sernetctl show a b 2>/dev/null; [ $? = 2 ]'

check "sysfs shows the port" \
	bash -c "[ \"\$(cat /sys/class/sernet/sernet$idx/tty_name)\" = ttyS1 ] &&
		[ \"\$(cat /sys/class/sernet/sernet$idx/state)\" = IDLE ] &&
		[ -e /sys/class/sernet/sernet$idx/tty/dev ]"

kill "$ldpid"; wait "$ldpid" 2>/dev/null; ldpid=
check "killing ldattach removes the port" \
	bash -c 'for _ in $(seq 1 50); do [ -z "$(ls /sys/class/sernet)" ] && break; sleep 0.1; done
		[ -z "$(ls /sys/class/sernet)" ] && [ "$(sernetctl show | wc -l)" = 1 ]'

check "without the module show says so" \
	bash -c 'rmmod sernet && ! sernetctl show 2>"$0" ; grep -q "is the sernet module loaded" "$0"; r=$?;
		insmod "$SERNET_KO"; exit $r' "$tmp/nomod"

exit $fail
