#!/usr/bin/env bash
# Runs every test suite in turn, even after one fails, and prints a summary.
# Exit status is non-zero if any suite failed.  Called by `make test`.
#
# Suites: unit (normal build), unit under ASan+UBSan, fuzz smoke over the seed
# corpus, HTTP through nginx, browser (Chromium), engine integration
# (network namespaces with a strongSwan peer).  IKEGW_SUITES="unit http" runs a subset.
set -u
cd "$(dirname "$0")/.."
export IKEGW_TOP=$PWD
mkdir -p test-output

suites=${IKEGW_SUITES:-"unit unit-san fuzz pki-tools http e2e integration integration-san"}
declare -A result
fail=0
for s in $suites; do
	start=$(date +%s)
	echo "=== suite $s"
	case $s in
	unit)        make --no-print-directory -s unit-run ;;
	unit-san)    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 UBSAN_OPTIONS=print_stacktrace=1 \
	             make --no-print-directory -s B=build/san SAN=1 unit-run ;;
	fuzz)        tests/fuzz/run.sh build/fuzz/tests/fuzz smoke ;;
	pki-tools)   tests/pki/check-tools.sh > test-output/pki-tools.log 2>&1; rc=$?
	             grep '^  FAIL' test-output/pki-tools.log; tail -1 test-output/pki-tools.log
	             (exit $rc) ;;
	integration-san)
		# The engine tests again with ikegwd built with ASan+UBSan: any report
		# (memory error, leak at exit, undefined behaviour) fails the suite.
		rm -rf test-output/asan; mkdir -p test-output/asan
		IKEGW_BIN=$PWD/build/san/bin ASAN_OPTIONS=detect_leaks=1:log_path=$PWD/test-output/asan/ikegwd \
		    UBSAN_OPTIONS=print_stacktrace=1:log_path=$PWD/test-output/asan/ikegwd \
		    tests/integration/run.sh > test-output/integration-san.log 2>&1
		rc=$?
		grep -E '^  FAIL|  ok    t_' test-output/integration-san.log
		if ls test-output/asan/ikegwd* > /dev/null 2>&1; then
			echo "  FAIL  sanitizer reports:"; head -40 test-output/asan/ikegwd*; rc=1
		fi
		(exit $rc) ;;
	http|e2e|integration)
		if [ -x "tests/$s/run.sh" ]; then "tests/$s/run.sh"
		else echo "  (no $s tests yet)"; result[$s]="none"; continue; fi ;;
	*)           echo "unknown suite $s"; false ;;
	esac
	rc=$?
	secs=$(( $(date +%s) - start ))
	if [ $rc -eq 0 ]; then result[$s]="ok    (${secs}s)"; else result[$s]="FAIL  (${secs}s)"; fail=1; fi
done
echo
echo "=== summary"
for s in $suites; do printf '  %-12s %s\n' "$s" "${result[$s]}"; done
exit $fail
