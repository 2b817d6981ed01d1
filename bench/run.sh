#!/usr/bin/env bash
# bench/run.sh — runs every bench/*.sh in turn (`make bench` calls it after
# building); each prints its own figures.  IKEGW_BENCH="vpn" runs a subset.
# Exits non-zero when one of them failed.
set -u
cd "$(dirname "$0")"
fail=0
for b in ${IKEGW_BENCH:-$(ls ./*.sh | sed 's|^\./||; s|\.sh$||' | grep -vx run)}; do
	echo "=== bench $b"
	bash "./$b.sh" || { echo "  FAIL  bench $b"; fail=1; }
done
exit $fail
