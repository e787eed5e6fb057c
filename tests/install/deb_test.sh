#!/usr/bin/env bash
# The Debian package on a fresh Debian 12 (issue 9): builds corelens_*.deb with CPack, checks
# its control fields and contents, then installs it with `apt install ./corelens_*.deb` in a
# debootstrapped Debian 12 minbase chroot (nothing on the host changes) and runs the installed
# programs there on a real sample core: `corelens analyze`, gdb's argument order as coredumpctl
# passes it, `corelens-gui --screenshot`; then removes the package again.
#
# The chroot is debootstrapped once and cached as a tarball, and the .debs apt downloads are
# cached beside it, so later runs need the network only for apt's package lists:
#   ${CORELENS_DEB_CACHE:-${XDG_CACHE_HOME:-~/.cache}/corelens/debian12}/{minbase.tar.zst,archives/}
# CORELENS_DEBIAN_MIRROR overrides the mirror (default http://deb.debian.org/debian).
# Without root, debootstrap or dpkg-shlibdeps (.ci/install-deps installs both), or when no mirror
# can be reached and nothing is cached: a failure, unless CORELENS_SKIP names deb (then exit 77,
# skipped); likewise without corelens-gui where Qt6 was not found (CORELENS_SKIP=gui).
# usage: deb_test.sh BUILD_DIR CORE EXE
set -euo pipefail
build=$1 core=$2 exe=$3
start=$SECONDS
# shellcheck source=../support/opt-out.sh
. "$(dirname "$0")/../support/opt-out.sh"
skip() { unavailable deb "$@"; }
fail() { echo "FAIL: $*" >&2; exit 1; }
log() { echo "[$((SECONDS - start))s] $*"; }
[[ $(id -u) -eq 0 ]] || skip "a chroot needs root"
command -v debootstrap >/dev/null || skip "debootstrap is not installed"
command -v dpkg-shlibdeps >/dev/null || skip "dpkg-shlibdeps (dpkg-dev) is not installed"
gui=0
[[ -x $build/gui/corelens-gui ]] && gui=1
[[ ${CORELENS_GUI_MISSING:-0} == 1 ]] && unavailable gui "corelens-gui was not built (Qt6 Widgets not found): the package lacks it"

# ---- the packages ------------------------------------------------------------------------------
rm -rf "$build/packages"
(cd "$build" && cpack -G DEB) >"$build/cpack.log" 2>&1 || { cat "$build/cpack.log"; fail "cpack -G DEB"; }
debs=("$build"/packages/corelens_*.deb)
[[ -f ${debs[0]} && ${#debs[@]} -eq 1 ]] || fail "expected one corelens_*.deb in $build/packages: ${debs[*]}"
deb=${debs[0]}
[[ -f $(ls "$build"/packages/corelens-dev_*.deb) ]] || fail "no corelens-dev_*.deb"
depends=$(dpkg-deb -f "$deb" Depends)
log "$(basename "$deb"): Depends: $depends"
want=(libc6 libstdc++6 libdw1 libelf1 libcapstone4 libzstd1 liblzma5 liblz4-1 libsqlite3-0 libpq5)
((gui)) && want+=(libqt6widgets6 libqt6gui6 libqt6core6)
for p in "${want[@]}"; do [[ ", $depends," == *", $p "* || ", $depends," == *", $p,"* ]] || fail "Depends lacks $p"; done
contents=$(dpkg-deb -c "$deb")
for f in ./usr/bin/corelens ./usr/share/man/man1/corelens.1.gz ./usr/share/bash-completion/completions/corelens \
         ./usr/share/zsh/vendor-completions/_corelens ./usr/share/corelens/report.schema.json; do
  grep -q " $f\$" <<<"$contents" || fail "$(basename "$deb") lacks $f"
done
if ((gui)); then
  for f in ./usr/bin/corelens-gui ./usr/share/applications/corelens-gui.desktop \
           ./usr/share/icons/hicolor/scalable/apps/corelens-gui.svg; do
    grep -q " $f\$" <<<"$contents" || fail "$(basename "$deb") lacks $f"
  done
fi
if grep -q '/include/\|\.a$' <<<"$contents"; then fail "headers or static libraries in the runtime package"; fi
# corelens-dev: the headers, libraries and CMake package, and the -dev packages a build with them needs.
dev=$(ls "$build"/packages/corelens-dev_*.deb)
dev_contents=$(dpkg-deb -c "$dev")
for f in '/include/corelens/unwinder/pipeline/session.hpp' '/libcorelens_pipeline.a' '/cmake/corelens/corelensConfig.cmake' \
         '/cmake/corelens/corelensTargets.cmake'; do
  grep -q "$f\$" <<<"$dev_contents" || fail "$(basename "$dev") lacks ...$f"
done
dev_depends=$(dpkg-deb -f "$dev" Depends)
for p in "corelens (= $(dpkg-deb -f "$deb" Version))" libdw-dev libcapstone-dev libunwind-dev nlohmann-json3-dev pkg-config; do
  [[ ", $dev_depends," == *", $p"[,\ ]* ]] || fail "corelens-dev's Depends lacks $p: $dev_depends"
done

# ---- a fresh Debian 12 -------------------------------------------------------------------------
cache=${CORELENS_DEB_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/corelens/debian12}
mirror=${CORELENS_DEBIAN_MIRROR:-http://deb.debian.org/debian}
mkdir -p "$cache/archives"
work=$(mktemp -d /var/tmp/corelens-deb-XXXXXX)
root=$work/root
cleanup() {
  umount "$root/proc" 2>/dev/null || true
  # --one-file-system: never into a mount that could not be taken down.
  rm -rf --one-file-system "$work"
}
trap cleanup EXIT
tarball=$cache/minbase.tar.zst
if [[ -f $tarball && -n $(find "$tarball" -mtime -30) ]]; then
  mkdir "$root" && tar --zstd -xf "$tarball" -C "$root"
  log "Debian 12 minbase from the cache ($tarball)"
else
  log "debootstrap --variant=minbase bookworm from $mirror (cached afterwards)"
  debootstrap --variant=minbase bookworm "$root" "$mirror" >"$work/debootstrap.log" 2>&1 ||
    { tail -20 "$work/debootstrap.log"; [[ -f $tarball ]] && fail "debootstrap"; skip "debootstrap failed (no mirror?)"; }
  rm -rf "$root"/var/cache/apt/archives/*.deb
  tar --zstd -cf "$tarball.tmp" -C "$root" . && mv "$tarball.tmp" "$tarball"
  log "chroot made and cached ($(du -h "$tarball" | cut -f1))"
fi
cp /etc/resolv.conf "$root/etc/resolv.conf" 2>/dev/null || true
mount -t proc proc "$root/proc"
in_root() { chroot "$root" /usr/bin/env -i PATH=/usr/sbin:/usr/bin:/sbin:/bin HOME=/root LANG=C.UTF-8 \
              DEBIAN_FRONTEND=noninteractive "$@"; }
cp "$cache"/archives/*.deb "$root/var/cache/apt/archives/" 2>/dev/null || true
in_root apt-get update -qq >"$work/update.log" 2>&1 || { cat "$work/update.log"; skip "apt-get update in the chroot failed"; }
cp "$deb" "$root/tmp/"
log "apt install ./$(basename "$deb")"
# Keep-Downloaded-Packages: apt (unlike apt-get) deletes them, and they are cached for the next
# run; unsafe-io: no fsync per file, in a chroot that is thrown away anyway.
in_root sh -c "cd /tmp && apt install -y -o APT::Keep-Downloaded-Packages=true \
                 -o Dpkg::Options::=--force-unsafe-io ./$(basename "$deb")" >"$work/apt.log" 2>&1 ||
  { tail -30 "$work/apt.log"; fail "apt install ./$(basename "$deb") on a fresh Debian 12"; }
cp -n "$root"/var/cache/apt/archives/*.deb "$cache/archives/" 2>/dev/null || true
log "installed with $(grep -c '^Unpacking' "$work/apt.log") packages"

# ---- the installed programs, on a real core ----------------------------------------------------
cp "$core" "$root/root/crash.core"
cp "$exe" "$root/root/$(basename "$exe")"
prog=/root/$(basename "$exe")
in_root corelens --version | tee "$work/version" | head -3
grep -q '^  elfutils' "$work/version" || fail "corelens --version names no libraries"
in_root corelens analyze /root/crash.core --exe "$prog" >"$work/analyze.txt" 2>"$work/analyze.err" ||
  { cat "$work/analyze.err"; fail "corelens analyze in the chroot"; }
grep -q '^Signal    SIG' "$work/analyze.txt" || fail "no signal in the installed corelens' report"
name=$(basename "$exe" .exe)  # the sample cores' executables are copied as NAME.exe
grep -qE '#[0-9]+ +0x[0-9a-f]+ in [a-z_0-9]+ .*\['"$name"' ' "$work/analyze.txt" ||
  fail "no frame in $name in the installed corelens' report: $(head -30 "$work/analyze.txt")"
# What `coredumpctl debug --debugger=corelens` runs.
in_root corelens "$prog" -c /root/crash.core >"$work/gdb-order.txt" 2>&1 || fail "corelens EXE -c CORE"
cmp -s "$work/analyze.txt" "$work/gdb-order.txt" || fail "corelens EXE -c CORE differs from corelens analyze"
# Bad input: a clear error and its exit status.
set +e
in_root corelens analyze /etc/hostname 2>"$work/bad.err"; st=$?
set -e
[[ $st -eq 65 ]] || fail "corelens analyze on a text file: status $st, expected 65 ($(cat "$work/bad.err"))"
[[ -f $root/usr/share/man/man1/corelens.1.gz ]] || fail "no man page installed"
log "corelens analyze in the chroot: $(grep -c '^  #' "$work/analyze.txt") frames"
if ((gui)); then
  in_root QT_QPA_PLATFORM=offscreen corelens-gui --screenshot /root/shot.png "$prog" -c /root/crash.core \
    >"$work/gui.log" 2>&1 || { cat "$work/gui.log"; fail "corelens-gui --screenshot in the chroot"; }
  [[ $(head -c 8 "$root/root/shot.png" | od -An -tx1 | tr -d ' \n') == 89504e470d0a1a0a ]] || fail "the screenshot is no PNG"
  size=$(stat -c %s "$root/root/shot.png")
  ((size > 20000)) || fail "the screenshot is only $size bytes"
  log "corelens-gui --screenshot in the chroot: $size bytes of PNG"
fi
in_root apt-get purge -y corelens >"$work/purge.log" 2>&1 || { cat "$work/purge.log"; fail "apt-get purge corelens"; }
[[ ! -e $root/usr/bin/corelens ]] || fail "corelens is still there after apt-get purge"
log "purged again; done"
