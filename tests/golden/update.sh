#!/usr/bin/env bash
# Rewrites the golden files from what the CLI writes now, for a change of output that is
# intended; review the result with `git diff tests/golden` and commit it with the change.
#   tests/golden/update.sh [BUILD_DIR] [CTEST_REGEX]   (default: build, every golden test)
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
build=${1:-$here/../../build}
regex=${2:-^golden\.}
cmake --build "$build" --target corelens make_golden_dumps golden_render
CORELENS_UPDATE_GOLDEN=1 ctest --test-dir "$build" -R "$regex" -E '^golden\.no_stale_files$' --output-on-failure
git -C "$here" status --short -- .
