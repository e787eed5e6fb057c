# Sourced by samples/make-kernel-dumps.sh and samples/fetch-kernel-vmlinux.sh (after `prog=NAME`):
# their messages and exit codes (1 failure, 77 skipped, as ctest's SKIP_RETURN_CODE expects),
# their --help (the calling script's header comment), the cache directory they share, and fresh
# apt lists before they ask apt for a package.
T0=$(date +%s%N)
log() { printf '[%s %6.1fs] %s\n' "$prog" "$(( $(date +%s%N) - T0 ))e-9" "$*" >&2; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
# What the dumps need cannot be had here (a package, the archive, qemu itself): a failure, since
# .ci/install-deps installs all of it, unless CORELENS_SKIP (comma-separated) names `kernel`:
# then a skip (77), marked as tests/skip_summary.py counts opted-out skips.
unavailable() {
  if [[ ",${CORELENS_SKIP:-}," == *,kernel,* ]]; then
    printf '%s: opted out (CORELENS_SKIP=kernel): %s\n' "$prog" "$*" >&2
    exit 77
  fi
  printf '%s: error: %s\n  (.ci/install-deps installs what is needed; CORELENS_SKIP=kernel opts out)\n' "$prog" "$*" >&2
  exit 1
}
# apt-get update when the package lists are missing or older than a day (a stale list names a
# kernel the archive no longer has); a failed update is not fatal here: the download says.
refresh_apt_lists() {
  "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/../../.ci/apt-update-if-stale" >&2 || log "apt-get update failed"
}
# help_if_asked SCRIPT [ARG]: with -h/--help prints SCRIPT's header comment and exits 0; without
# an argument prints it and exits 1.
help_if_asked() {
  case ${2:-} in
    -h|--help|'') sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$1"; [[ -n ${2:-} ]]; exit $? ;;
  esac
}
CACHE=${CORELENS_KDUMP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corelens/kernel-dumps}
