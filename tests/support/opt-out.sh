#!/usr/bin/env bash
# The shell side of tests/support/opt_out.hpp: a test that cannot run where it should fails,
# unless $CORELENS_SKIP (comma- or blank-separated) names the area it needs; then it is skipped
# with exit status 77 (the SKIP_RETURN_CODE ctest is told about) and the marker
# "opted out (CORELENS_SKIP=AREA)", by which tests/skip_summary.py counts it as expected.
#
# Sourced: defines opted_out AREA and unavailable AREA WHY... (which exits).
# Run:     opt-out.sh AREA WHY...  exits as unavailable does (ctest's stand-in for tests whose
#          program could not be built here, e.g. the GUI's without Qt6).

opted_out() { [[ ",${CORELENS_SKIP:-}," == *",$1,"* || " ${CORELENS_SKIP:-} " == *" $1 "* ]]; }

unavailable() {
  local area=$1; shift
  if opted_out "$area"; then
    echo "opted out (CORELENS_SKIP=$area): $*"
    exit 77
  fi
  echo "FAIL: $*" >&2
  echo "  .ci/install-deps installs what this test needs; a machine without it opts out with CORELENS_SKIP=$area" >&2
  exit 1
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  (($# >= 2)) || { echo "usage: $0 AREA WHY..." >&2; exit 2; }
  unavailable "$@"
fi
