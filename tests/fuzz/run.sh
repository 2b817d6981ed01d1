#!/usr/bin/env bash
# tests/fuzz/run.sh DIR smoke|SECONDS — runs every libFuzzer target in DIR
# over a temporary copy of its seed corpus (tests/fuzz/corpus/<name>/).
# "smoke" (make test) runs each for IKEGW_FUZZ_SMOKE seconds (default 10);
# a number (make fuzz) runs each that long.  Crashes are kept in
# test-output/fuzz/ for reproduction.  Exits non-zero on any finding.
set -u
dir=$1
mode=${2:-smoke}
top=$(cd "$(dirname "$0")/../.." && pwd)
secs=$mode
[ "$mode" = smoke ] && secs=${IKEGW_FUZZ_SMOKE:-10}
out=$top/test-output/fuzz
mkdir -p "$out"
work=$(mktemp -d /tmp/ikegw-fuzz.XXXXXX)
trap 'rm -rf "$work"' EXIT
fail=0
shopt -s nullglob
for bin in "$dir"/fuzz_*; do
	[ -x "$bin" ] || continue
	name=$(basename "$bin"); name=${name#fuzz_}
	mkdir -p "$work/$name"
	[ -d "$top/tests/fuzz/corpus/$name" ] && cp -r "$top/tests/fuzz/corpus/$name/." "$work/$name/"
	if ASAN_OPTIONS=detect_leaks=1 "$bin" -max_total_time="$secs" -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/$name-" -print_final_stats=1 "$work/$name" > "$work/$name.log" 2>&1; then
		runs=$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$work/$name.log" | grep -o '[0-9]*$')
		printf '  ok    fuzz_%s (%s runs in %ss)\n' "$name" "${runs:-?}" "$secs"
	else
		printf '  FAIL  fuzz_%s\n' "$name"; tail -30 "$work/$name.log" | sed 's/^/        /'
		fail=1
	fi
done
exit $fail
