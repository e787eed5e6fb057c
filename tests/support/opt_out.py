"""The Python side of tests/support/opt_out.hpp: a test that cannot run where it should fails,
unless $CORELENS_SKIP (comma- or blank-separated) names the area it needs; then it is skipped with
exit status 77 (the SKIP_RETURN_CODE ctest is told about) and the marker
"opted out (CORELENS_SKIP=AREA)", by which tests/skip_summary.py counts it as expected."""
import os
import re
import sys

SKIP_RETURN_CODE = 77


def opted_out(area):
    return area in re.split(r"[,\s]+", os.environ.get("CORELENS_SKIP", ""))


def opted_out_message(area, why):
    return f"opted out (CORELENS_SKIP={area}): {why}"


def unavailable(area, why):
    """Exits: 77 when AREA is opted out, 1 (a failure) otherwise."""
    if opted_out(area):
        print(opted_out_message(area, why))
        sys.exit(SKIP_RETURN_CODE)
    print(f"FAIL: {why}\n  .ci/install-deps installs what this test needs; "
          f"a machine without it opts out with CORELENS_SKIP={area}")
    sys.exit(1)
