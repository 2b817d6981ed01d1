#!/usr/bin/env bash
# tests/http/run.sh — black-box HTTP tests through nginx against a fresh
# instance (own var/ directory and port), started with the same
# webapp/stack.sh that `make run` uses.  Then restarts the stack and checks
# that users and sessions survived.  Cleans up even on failure.
set -u
top=$(cd "$(dirname "$0")/../.." && pwd)
bin=$top/build/tests/http
export IKEGW_VAR=$(mktemp -d /tmp/ikegw-http.XXXXXX)
chmod 0755 "$IKEGW_VAR"
export IKEGW_PORT=${IKEGW_HTTP_PORT:-18080}
export IKEGW_ADDR=127.0.0.1
export IKEGW_URL=http://127.0.0.1:$IKEGW_PORT
export IKEGW_WORKERS=3
export IKEGW_TOP=$top
# The stack's ikegwd: ports of its own (a `make run` may hold 500/4500).
# No packets to forward here (and a running `make run` owns ipsec0).
export IKEGW_KERNEL=null
export IKEGW_IKE_PORT=${IKEGW_HTTP_IKE_PORT:-18510} IKEGW_NATT_PORT=${IKEGW_HTTP_NATT_PORT:-18511}
# As root, ikegwd runs in a network namespace of its own: the firewall it
# applies (test_firewall) never touches this machine's, and the interfaces
# that test assigns exist there too (veth pairs with one end on each side).
export IKEGW_ENGINE_NETNS=
if [ "$(id -u)" -eq 0 ] && ip netns add "ikegw-http-$$" 2>/dev/null; then
	IKEGW_ENGINE_NETNS=ikegw-http-$$
	ip -n "$IKEGW_ENGINE_NETNS" link set lo up
fi
out=$top/test-output/http
mkdir -p "$out"

cleanup() {
	"$top/webapp/stack.sh" stop >/dev/null 2>&1
	cp -r "$IKEGW_VAR/log" "$out/" 2>/dev/null
	rm -rf "$IKEGW_VAR"
	# Deleting the namespace also deletes the veth pairs that reach into it.
	[ -n "$IKEGW_ENGINE_NETNS" ] && ip netns del "$IKEGW_ENGINE_NETNS" 2>/dev/null
	return 0
}
trap cleanup EXIT

if ! start_out=$("$top/webapp/stack.sh" start 2>&1); then
	echo "$start_out"; echo "  FAIL  could not start the stack"; exit 1
fi
export IKEGW_ADMIN_PASSWORD=$(printf '%s\n' "$start_out" | sed -n 's/^Password: //p')
if [ -z "$IKEGW_ADMIN_PASSWORD" ]; then
	echo "$start_out"; echo "  FAIL  first run printed no admin password"; exit 1
fi

fail=0
run() {
	local t=$1; shift
	if o=$("$t" "$@" 2>&1); then
		printf '  ok    %s %s\n' "$(basename "$t")" "$*"
	else
		printf '  FAIL  %s %s\n' "$(basename "$t")" "$*"; printf '%s\n' "$o" | tail -40 | sed 's/^/        /'
		fail=1
	fi
}
for t in "$bin"/test_*; do
	case $t in *test_restart) continue ;; esac
	run "$t"
done

# Restart: `make run` a second time must keep users and sessions.
if [ -x "$bin/test_restart" ]; then
	run "$bin/test_restart" before
	if second=$("$top/webapp/stack.sh" start 2>&1); then
		if printf '%s\n' "$second" | grep -q '^Password:'; then
			echo "  FAIL  second start printed a new admin password"; fail=1
		fi
		run "$bin/test_restart" after
	else
		echo "$second"; echo "  FAIL  restart"; fail=1
	fi
fi
exit $fail
