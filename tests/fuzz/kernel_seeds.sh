#!/usr/bin/env bash
# kernel_seeds.sh KDUMPS_DIR SEEDS_DIR: the first 64 KiB of every real kernel dump the tests made,
# as seeds for the fuzz target of its format (found by content, as corelens finds it). Nothing to
# do, successfully, when there are no kernel dumps (qemu missing: kernel_dumps.make skipped).
set -euo pipefail
in=$1 out=$2
shopt -s nullglob
for dump in "$in"/*.elf "$in"/*.kdump "$in"/*.flat; do
  magic=$(head -c 16 "$dump" | od -An -c | tr -d ' \n')
  case $magic in
    177ELF*) target=vmcore_elf ;;
    KDUMP*) target=kdump_compressed ;;
    makedumpfile*) target=kdump_flattened ;;
    *) continue ;;
  esac
  mkdir -p "$out/$target"
  head -c 65536 "$dump" > "$out/$target/$(basename "$dump").head"
done
