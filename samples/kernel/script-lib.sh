# Sourced by samples/make-kernel-dumps.sh and samples/fetch-kernel-vmlinux.sh (after `prog=NAME`):
# their messages and exit codes (1 failure, 77 skipped, as ctest's SKIP_RETURN_CODE expects),
# their --help (the calling script's header comment), and the cache directory they share.
T0=$(date +%s%N)
log() { printf '[%s %6.1fs] %s\n' "$prog" "$(( $(date +%s%N) - T0 ))e-9" "$*" >&2; }
die() { printf '%s: error: %s\n' "$prog" "$*" >&2; exit 1; }
skip() { printf '%s: SKIPPED: %s\n' "$prog" "$*" >&2; exit 77; }
# help_if_asked SCRIPT [ARG]: with -h/--help prints SCRIPT's header comment and exits 0; without
# an argument prints it and exits 1.
help_if_asked() {
  case ${2:-} in
    -h|--help|'') sed -n '2,/^set -euo/{/^set -euo/d;s/^# \{0,1\}//;p}' "$1"; [[ -n ${2:-} ]]; exit $? ;;
  esac
}
CACHE=${CORELENS_KDUMP_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corelens/kernel-dumps}
