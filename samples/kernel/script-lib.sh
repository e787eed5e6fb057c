# Sourced by make-kernel-dumps.sh and fetch-kernel-vmlinux.sh, beside it (after `prog=NAME`):
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

# Debian's releases by number, as DEBIAN= names them.
debian_codename() {
  case $1 in 11) echo bullseye ;; 12) echo bookworm ;; 13) echo trixie ;; *) return 1 ;; esac
}
# apt_for CODENAME ARCH: sets APT to the options of a private apt state for that release and
# architecture under $CACHE/apt/CODENAME-ARCH (its own sources, lists and package cache; the
# machine's apt configuration and dpkg database are neither read nor touched, and no root is
# needed). Its lists are fetched when missing or older than a day (a stale list names a kernel the
# archive no longer has; their age is the Release files' ctime, as .ci/apt-update-if-stale reads
# it), and again by apt_refresh when a download fails.
apt_for() {
  local dir=$CACHE/apt/$1-$2 keyring=/usr/share/keyrings/debian-archive-keyring.gpg
  mkdir -p "$dir/lists/partial" "$dir/cache/archives/partial"
  { echo "deb [arch=$2 signed-by=$keyring] http://deb.debian.org/debian $1 main"
    echo "deb [arch=$2 signed-by=$keyring] http://deb.debian.org/debian $1-updates main"
    echo "deb [arch=$2 signed-by=$keyring] http://deb.debian.org/debian-security $1-security main"; } > "$dir/sources.list"
  APT=(-o "Dir::Etc::SourceList=$dir/sources.list" -o Dir::Etc::SourceParts=/dev/null
       -o "Dir::State::Lists=$dir/lists" -o "Dir::Cache=$dir/cache" -o Dir::State::status=/dev/null
       -o "APT::Architecture=$2" -o "APT::Architectures::=$2" -o Debug::NoLocking=1
       -o "APT::Sandbox::User=$(id -un)" -o Acquire::Retries=3)
  APT_LISTS=$dir/lists
  if ! ls "$APT_LISTS"/*Packages* >/dev/null 2>&1 ||
     [[ -z $(find "$APT_LISTS" -maxdepth 1 -name '*Release' -cmin -1440 -print -quit 2>/dev/null) ]]; then
    apt_refresh || true
  fi
}
apt_refresh() { log "apt-get update ($(sed -n 's/.* \([a-z-]*\) main$/\1/p' "${APT_LISTS%/lists}/sources.list" | tr '\n' ' '))"; apt-get "${APT[@]}" update -qq >&2; }
# apt_download DIR PACKAGE...: the .debs into DIR, refreshing the lists once if that fails.
apt_download() {
  local dir=$1; shift
  (cd "$dir" && { apt-get "${APT[@]}" download -qq "$@" >&2 2>&1 || { apt_refresh && apt-get "${APT[@]}" download -qq "$@" >&2; }; })
}
# One run at a time per cache: a second one (the tests' fixtures while tests/run-all.sh's early
# run is still at it, or two build trees) waits here, then finds the first one's results cached.
lock_cache() {
  mkdir -p "$CACHE"
  exec 9>"$CACHE/.lock"
  if ! flock -n 9; then log "waiting for another run on $CACHE"; flock 9; fi
}
# fetch_tools CODENAME ARCH PACKAGE...: the packages of that release and architecture, and every
# library package they depend on, extracted into TOOLS=$CACHE/tools/CODENAME-ARCH-KEY (once; KEY
# names the packages), for running them as that release runs them: in an initramfs
# (elf-libs.py), under qemu-user, or with their own dynamic loader. Perl only serves
# makedumpfile's helper scripts and is left out. Restores the apt state of CODENAME/ARCH after.
fetch_tools() {
  local codename=$1 arch=$2; shift 2
  local key; key=$(echo "$*" | sha256sum | cut -c1-8)
  TOOLS=$CACHE/tools/$codename-$arch-$key
  [[ -f $TOOLS/.done ]] && return 0
  local saved=("${APT[@]}") saved_lists=${APT_LISTS:-} pkgs
  apt_for "$codename" "$arch"
  rm -rf "$TOOLS"; mkdir -p "$TOOLS/debs"
  pkgs=$(apt-cache "${APT[@]}" depends --recurse --no-recommends --no-suggests --no-conflicts --no-breaks \
           --no-replaces --no-enhances "$@" 2>/dev/null | grep -v '^ ' | grep -v '^<' |
         grep -E '^(lib|zlib1g)' | grep -v '^libperl' | sort -u | tr '\n' ' ')
  log "apt-get download $* $pkgs($codename, $arch)"
  apt_download "$TOOLS/debs" "$@" $pkgs || { rm -rf "$TOOLS"; unavailable "cannot download $* for $arch from Debian $codename"; }
  for d in "$TOOLS"/debs/*.deb; do dpkg-deb -x "$d" "$TOOLS/root"; done
  # Packages of a merged-/usr release install under usr/ only; their programs still ask for
  # /lib/ld-linux-*.so.
  for d in bin sbin lib lib64; do [[ -e $TOOLS/root/$d || ! -e $TOOLS/root/usr/$d ]] || ln -s "usr/$d" "$TOOLS/root/$d"; done
  rm -rf "$TOOLS/debs"
  touch "$TOOLS/.done"
  APT=("${saved[@]}"); APT_LISTS=$saved_lists
}
# tool PATH...: the first of PATH... (relative to $TOOLS/root) that the release has.
tool() {
  local p
  for p in "$@"; do [[ -e $TOOLS/root/$p ]] && { echo "$p"; return 0; }; done
  die "none of $* in $TOOLS/root"
}
