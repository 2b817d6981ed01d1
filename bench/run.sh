#!/usr/bin/env bash
# bench/run.sh — every benchmark, one script each (bench/<name>.sh), run in
# turn; `make bench` calls it after building.  Each script prints its own
# table; this one prints which failed.  IKEGW_BENCH="dataplane" runs a
# subset.  Needs root (network namespaces).
set -u
cd "$(dirname "$0")"
if [ "$(id -u)" -ne 0 ]; then
	echo "  benchmarks need root (network namespaces)"; exit 1
fi
fail=0
if [ -n "${IKEGW_BENCH:-}" ]; then
	list=""
	for b in $IKEGW_BENCH; do list="$list $b.sh"; done
else
	list=$(ls ./*.sh | grep -v '/run\.sh$')
fi
for b in $list; do
	echo "=== bench $(basename "$b" .sh)"
	if ! bash "$b"; then
		echo "  FAIL  $b"; fail=1
	fi
done
exit $fail
