#!/usr/bin/env bash
# seeds.sh KDUMPS_DIR SEEDS_DIR: the first 64 KiB of every real kernel dump the tests made,
# as seeds for the fuzz target of its format (found by content, as corelens finds it). No kernel
# dumps: a failure, or a skip (77) when CORELENS_SKIP names kernel (kernel_dumps.make opted out).
set -euo pipefail
# shellcheck source=../../support/opt-out.sh
. "$(dirname "$0")/../../support/opt-out.sh"
in=$1 out=$2
shopt -s nullglob
dumps=("$in"/*.elf "$in"/*.kdump "$in"/*.flat)
((${#dumps[@]} > 0)) || unavailable kernel "no kernel dumps in $in (see the kernel_dumps.make test's output)"
for dump in "${dumps[@]}"; do
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
