#!/usr/bin/env bash
# tests/integration/run.sh — every engine test in network namespaces
# (t_*.sh), each against a real strongSwan peer.  Needs root.  Prints a
# summary; non-zero exit when any test failed.  IKEGW_ITESTS="t_eap.sh"
# runs a subset.
set -u
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then
	echo "  integration tests need root (network namespaces)"; exit 1
fi
fail=0
for t in ${IKEGW_ITESTS:-t_*.sh}; do
	start=$(date +%s)
	echo "--- $t"
	if ! timeout 600 bash "$t"; then
		fail=1
		echo "  FAIL  $t ($(( $(date +%s) - start ))s)"
	else
		echo "  ok    $t ($(( $(date +%s) - start ))s)"
	fi
done
exit $fail
