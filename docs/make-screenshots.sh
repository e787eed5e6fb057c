#!/usr/bin/env bash
# Regenerates the user guide's screenshots (docs/images/*.png) with `corelens-gui --screenshot`
# on the sample cores of a build (ctest makes them: build/tests/cores/auto), and the dashboard
# page's in headless Chromium (tests/fleet/dashboard_test.py checks the page, then shoots it). The same commands
# are in the guide, where tests/install/guide_test.py runs them on every test run.
# usage: docs/make-screenshots.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cores=$build/tests/cores/auto
gui=$build/gui/corelens-gui
[[ -x $gui ]] || { echo "make-screenshots: no $gui (build the GUI first)" >&2; exit 1; }
[[ -f $cores/null_read.core ]] || { echo "make-screenshots: no sample cores in $cores (run ctest once)" >&2; exit 1; }
export QT_QPA_PLATFORM=offscreen
shot() {  # NAME CORE: docs/images/NAME.png
  "$gui" --screenshot "docs/images/$1.png" "$2"
  echo "docs/images/$1.png: $(stat -c %s "docs/images/$1.png") bytes"
}
shot gui-null-read "$cores/null_read.core"
shot gui-threads "$cores/threads_blocked.core"
python3 tests/fleet/dashboard_test.py "$build/cli/corelens" "$build/tests/cores" --screenshot docs/images/dashboard.png
echo "docs/images/dashboard.png: $(stat -c %s docs/images/dashboard.png) bytes"
