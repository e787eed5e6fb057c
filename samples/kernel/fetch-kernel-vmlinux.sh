#!/usr/bin/env bash
# fetch-kernel-vmlinux DUMPDIR
#
# Puts DUMPDIR/vmlinux: the vmlinux with DWARF of the kernel that made the dumps in DUMPDIR
# (samples/kernel/make-kernel-dumps.sh; its info.txt names the release, the Debian release and the
# architecture), from that Debian release's linux-image-RELEASE-dbg. Such a package is 0.8-1 GB and
# unpacks to 5-6 GB; only the vmlinux (0.6-0.7 GB, an early member of the tar) is extracted, and
# tar stops there instead of decompressing the rest.
# The .deb is deleted; the vmlinux is cached beside the kernel package, in
#   $CORELENS_KDUMP_CACHE (default ${XDG_CACHE_HOME:-~/.cache}/corelens/kernel-dumps)/kernels/RELEASE/
# so a second run takes no time. DUMPDIR/vmlinux is a hard link (or a copy) of the cached file.
#
# Exit status: 0 done; 1 failure, also when there are no dumps or the package cannot be had (no
# network, or the release left the archive; the reason is printed); 77 skipped, instead of that
# failure, when CORELENS_SKIP (comma-separated) names `kernel`. apt's lists are updated first when
# they are missing or older than a day (.ci/apt-update-if-stale).
set -euo pipefail

prog=fetch-kernel-vmlinux
# shellcheck source=script-lib.sh
. "$(dirname "$(realpath "${BASH_SOURCE[0]}")")/script-lib.sh"
help_if_asked "${BASH_SOURCE[0]}" "${1:-}"
DUMPS=$(realpath -m "$1")
[[ -f $DUMPS/info.txt ]] || unavailable "no kernel dumps in $DUMPS (samples/kernel/make-kernel-dumps.sh makes them)"
KREL=$(sed -n 's/^release=//p' "$DUMPS/info.txt")
[[ -n $KREL && $KREL != */* ]] || die "$DUMPS/info.txt names no release"
# The Debian release and architecture the kernel came from (dumps made before they were recorded:
# Debian 12, amd64).
DEBIAN=$(sed -n 's/^debian=//p' "$DUMPS/info.txt"); DEBIAN=${DEBIAN:-12}
ARCH=$(sed -n 's/^arch=//p' "$DUMPS/info.txt"); ARCH=${ARCH:-amd64}
CODENAME=$(debian_codename "$DEBIAN") || die "$DUMPS/info.txt names Debian $DEBIAN"
lock_cache
KDIR=$CACHE/kernels/$KREL
VMLINUX=$KDIR/vmlinux-$KREL
member=./usr/lib/debug/boot/vmlinux-$KREL

if [[ ! -f $KDIR/.vmlinux-done ]]; then
  mkdir -p "$KDIR"
  W=$(mktemp -d "$KDIR/dbg.XXXXXX")
  trap 'rm -rf "$W"' EXIT
  log "apt-get download linux-image-$KREL-dbg (Debian $DEBIAN $CODENAME, $ARCH)"
  apt_for "$CODENAME" "$ARCH"
  apt_download "$W" "linux-image-$KREL-dbg" || unavailable "cannot download linux-image-$KREL-dbg"
  deb=$(ls "$W"/*.deb)
  log "extract $member only ($(du -m "$deb" | cut -f1) MB package)"
  # tar exits once it has the one member (--occurrence); dpkg-deb then dies of SIGPIPE, which is
  # expected: the file itself says whether it worked.
  set +o pipefail
  dpkg-deb --fsys-tarfile "$deb" 2>/dev/null | tar -x -C "$W" --occurrence=1 "$member"
  set -o pipefail
  rm -f "$deb"
  [[ -s $W/$member ]] || die "linux-image-$KREL-dbg has no $member"
  head -c 4 "$W/$member" | grep -q 'ELF' || die "$member is not an ELF file"
  mv "$W/$member" "$VMLINUX"
  touch "$KDIR/.vmlinux-done"
  log "cached $VMLINUX ($(du -m "$VMLINUX" | cut -f1) MB)"
fi
ln -f "$VMLINUX" "$DUMPS/vmlinux" 2>/dev/null || cp -f "$VMLINUX" "$DUMPS/vmlinux"
log "$DUMPS/vmlinux"
