#!/usr/bin/env bash
# Run every unit-test binary given; report each, fail if any failed.
set -u
dir=$1; shift
fail=0
for t in "$@"; do
	name=${t#"$dir"/}
	if out=$(cd "$(dirname "$0")/../.." && "$t" 2>&1); then
		printf '  ok    %s\n' "$name"
	else
		printf '  FAIL  %s\n' "$name"; printf '%s\n' "$out" | tail -40 | sed 's/^/        /'
		fail=1
	fi
done
exit $fail
