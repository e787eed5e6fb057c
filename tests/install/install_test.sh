#!/usr/bin/env bash
# What `cmake --install` puts where, and whether what it installs works (issue 9). Each MODE
# installs the build into its own DESTDIR under /usr, as the Debian package does:
#   tree        the expected files: programs, man pages, completions, desktop entry, icon,
#               headers, libraries, CMake package; the desktop entry validates
#   man         man -l renders both pages, and every option and exit status --help names is in them
#   completion  the installed bash completion completes subcommands, options and their values;
#               the zsh one parses (zsh -n)
#   example     docs/example builds with find_package(corelens) against the install and prints
#               the same crashing stack as `corelens analyze` on a real sample core
# A tool a check needs (man-db, zsh, desktop-file-utils, shared-mime-info), or corelens-gui where
# Qt6 was not found (CORELENS_GUI_MISSING=1 from CMake), missing: a failure, unless CORELENS_SKIP
# names its area (tests/expected-skips.txt); then the rest is checked and the test exits 77.
# usage: install_test.sh MODE BUILD_DIR SOURCE_DIR CORE EXE
set -euo pipefail
# shellcheck source=../support/opt-out.sh
. "$(dirname "$0")/../support/opt-out.sh"
left_out=()  # "area: what", checked at the end
need() {  # AREA WHY: go on without it only where CORELENS_SKIP opts out of AREA
  opted_out "$1" || unavailable "$@"
  left_out+=("$1: $2")
}
mode=$1 build=$2 src=$3 core=$4 exe=$5
work=$(mktemp -d "${TMPDIR:-/tmp}/corelens-install-$mode-XXXXXX")
trap 'rm -rf "$work"' EXIT
root=$work/root
DESTDIR=$root cmake --install "$build" --prefix /usr >"$work/install.log"
fail() { echo "FAIL: $*" >&2; exit 1; }
gui=0
[[ -x $build/gui/corelens-gui ]] && gui=1
if [[ ${CORELENS_GUI_MISSING:-0} == 1 ]]; then
  need gui "corelens-gui was not built (Qt6 Widgets not found): its files were not checked"
fi

case $mode in
tree)
  expect=(
    usr/bin/corelens
    usr/share/man/man1/corelens.1.gz
    usr/share/bash-completion/completions/corelens
    usr/share/zsh/vendor-completions/_corelens
    usr/share/corelens/report.schema.json
    usr/include/corelens/unwinder/pipeline/session.hpp
    usr/include/corelens/core/model/report.hpp
    usr/include/corelens/core/analysis/signature.hpp
    usr/include/corelens/core/report/text_report.hpp
  )
  # lib or lib/x86_64-linux-gnu (GNUInstallDirs' choice for the configured prefix).
  libdir=$(cd "$root/usr" && find lib -name libcorelens_model.a -printf '%h\n' | head -1)
  [[ -n $libdir ]] || fail "no libcorelens_model.a under usr/lib"
  for lib in model report analysis parsers unwinder pipeline; do expect+=("usr/$libdir/libcorelens_$lib.a"); done
  for f in corelensConfig corelensConfigVersion corelensTargets; do expect+=("usr/$libdir/cmake/corelens/$f.cmake"); done
  if ((gui)); then
    expect+=(usr/bin/corelens-gui usr/share/man/man1/corelens-gui.1.gz
             usr/share/bash-completion/completions/corelens-gui usr/share/zsh/vendor-completions/_corelens-gui
             usr/share/applications/corelens-gui.desktop usr/share/icons/hicolor/scalable/apps/corelens-gui.svg)
  fi
  for f in "${expect[@]}"; do [[ -e $root/$f ]] || fail "not installed: /$f"; done
  # Nothing the tests build (test programs, samples, fuzzers) leaks into the install.
  unexpected=$(cd "$root" && find . -type f | grep -vE '^\./usr/(bin/corelens(-gui)?|share/(man|bash-completion|zsh|applications|icons|corelens)/|include/corelens/|lib/)' || true)
  [[ -z $unexpected ]] || fail "unexpected files installed: $unexpected"
  [[ $(find "$root/usr/bin" -type f | wc -l) -eq $((1 + gui)) ]] || fail "extra programs in /usr/bin"
  # No path of this build tree in the CMake package (it must work wherever it is installed).
  if grep -rlF -e "$(realpath "$build")" -e "$(realpath "$src")" "$root/usr/$libdir/cmake/corelens"; then fail "build or source paths in the CMake package"; fi
  if ((gui)); then
    d=$root/usr/share/applications/corelens-gui.desktop
    grep -qx 'MimeType=application/x-core;' "$d" || fail "the desktop entry does not declare application/x-core"
    grep -qx 'Exec=corelens-gui %f' "$d" || fail "the desktop entry does not open a file"
    grep -qx 'Icon=corelens-gui' "$d" || fail "the desktop entry names no icon"
    if command -v desktop-file-validate >/dev/null && command -v update-desktop-database >/dev/null; then
      desktop-file-validate "$d" || fail "desktop-file-validate"
      # What a file manager consults to open a core: the MIME cache the desktop entry goes into
      # (desktop-file-utils' trigger builds it on a real system).
      update-desktop-database "$root/usr/share/applications"
      grep -qx 'application/x-core=corelens-gui.desktop;' "$root/usr/share/applications/mimeinfo.cache" ||
        fail "update-desktop-database does not map application/x-core to corelens-gui"
      rm "$root/usr/share/applications/mimeinfo.cache"
    else
      need desktop "desktop-file-utils is not installed: the desktop entry was not validated"
    fi
    # shared-mime-info knows application/x-core (ELF cores); the entry is useless otherwise.
    if [[ -d /usr/share/mime/application ]]; then
      [[ -e /usr/share/mime/application/x-core.xml ]] || fail "this system's MIME database has no application/x-core"
    else
      need desktop "shared-mime-info is not installed: application/x-core was not looked up"
    fi
  fi
  "$root/usr/bin/corelens" --version | grep -q '^corelens [0-9]' || fail "the installed corelens does not run"
  # The public API only: a few headers, each complete on its own with nothing but the installed
  # headers (and the system's): an include of an uninstalled header fails here, not in a user's build.
  mapfile -t headers < <(cd "$root/usr/include/corelens" && find . -name '*.hpp' | sed 's|^\./||' | sort)
  ((${#headers[@]} > 0 && ${#headers[@]} <= 30)) || fail "${#headers[@]} headers installed (the public API is at most 30)"
  for h in "${headers[@]}"; do
    printf '#include "%s"\n' "$h" >"$work/one.cpp"
    ${CXX:-c++} -std=c++23 -fsyntax-only -I "$root/usr/include/corelens" "$work/one.cpp" 2>"$work/cc.err" ||
      fail "installed header $h does not compile on its own: $(head -n 5 "$work/cc.err")"
  done
  echo "install tree: ${#expect[@]} expected files present, ${#headers[@]} public headers, each complete"
  ;;
man)
  command -v man >/dev/null || unavailable man "man (man-db) is not installed: the man pages were not rendered"
  render() { MANWIDTH=100 LC_ALL=C.UTF-8 man -l "$1" 2>"$work/man.err" | sed 's/.\x08//g'; }
  check_page() {  # PAGE HELP-TEXT
    local page=$1 help=$2 text
    text=$(render "$page")
    [[ -s $work/man.err ]] && fail "man -l $page warns: $(cat "$work/man.err")"
    grep -q '^NAME' <<<"$text" || fail "$page renders no NAME section"
    grep -q '^SYNOPSIS' <<<"$text" || fail "$page renders no SYNOPSIS section"
    local n=0
    for opt in $(grep -oE '(^|[ ,(])--?[a-zA-Z][a-zA-Z0-9-]*' <<<"$help" | sed -E 's/^[ ,(]//' | sort -u); do
      grep -qF -- "$opt" <<<"$text" || fail "$page: option $opt of --help is not in the man page"
      n=$((n + 1))
    done
    # Every exit status --help documents is there with the same words.
    local squeezed
    squeezed=$(sed -E 's/ +/ /g' <<<"$text")
    while read -r code words; do
      words=${words//\`/}
      grep -qF -- " $code ${words:0:25}" <<<"$squeezed" || fail "$page: exit status $code ($words) missing"
    done < <(awk '/^exit status/{on=1; next} /^[^ ]/{on=0} on && /^  [0-9]+ /{print $1, substr($0, index($0,$2))}' <<<"$help" |
             sed -E 's/ +/ /g')
    echo "$page: $n options, all in the man page"
  }
  c=$root/usr/bin/corelens
  check_page "$root/usr/share/man/man1/corelens.1.gz" \
    "$("$c" --help; "$c" run --help; "$c" collect --help; "$c" triage --help; "$c" history --help)"
  if ((gui)); then
    check_page "$root/usr/share/man/man1/corelens-gui.1.gz" "$("$root/usr/bin/corelens-gui" --help)"
  fi
  ;;
completion)
  bashc=$root/usr/share/bash-completion/completions/corelens
  complete_words() {  # FILE FUNCTION WORDS...: what bash offers for the last word
    local file=$1 fn=$2; shift 2
    bash -c 'source "$1"; fn=$2; shift 2; COMP_WORDS=("$@"); COMP_CWORD=$((${#COMP_WORDS[@]} - 1)); COMPREPLY=()
             "$fn"; printf "%s\n" "${COMPREPLY[@]}"' _ "$file" "$fn" "$@" | sort -u | tr '\n' ' '
  }
  expect_words() {  # WANTED GOT
    for w in $1; do [[ " $2 " == *" $w "* ]] || fail "completion: expected '$w' in '$2'"; done
  }
  expect_words "analyze run collect triage history" "$(complete_words "$bashc" _corelens corelens '')"
  expect_words "--format" "$(complete_words "$bashc" _corelens corelens analyze --fo)"
  [[ $(complete_words "$bashc" _corelens corelens analyze --format '') == "json text " ]] || fail "--format values"
  [[ $(complete_words "$bashc" _corelens corelens --color = al) == "always " ]] || fail "--color=al"
  expect_words "--keep-cores --fail-on-crash" "$(complete_words "$bashc" _corelens corelens run --)"
  expect_words "--db --jobs" "$(complete_words "$bashc" _corelens corelens triage --)"
  expect_words "markdown" "$(complete_words "$bashc" _corelens corelens collect --format '')"
  # After `run ... --`, a command name.
  expect_words "bash" "$(complete_words "$bashc" _corelens corelens run -- bas)"
  # A value that is a file completes files: the sample core's directory.
  expect_words "$core" "$(complete_words "$bashc" _corelens corelens analyze --core "$core")"
  if ((gui)); then
    expect_words "--screenshot" "$(complete_words "$root/usr/share/bash-completion/completions/corelens-gui" \
                                   _corelens_gui corelens-gui --scr)"
  fi
  if command -v zsh >/dev/null; then
    for f in "$root"/usr/share/zsh/vendor-completions/_*; do zsh -n "$f" || fail "zsh -n $f"; done
    echo "zsh completions parse"
  else
    need zsh "zsh is not installed: its completion files were not parsed"
  fi
  echo "bash completion: subcommands, options and values complete"
  ;;
example)
  cmake -S "$src/docs/example" -B "$work/example" -G Ninja -DCMAKE_PREFIX_PATH="$root/usr" >"$work/cmake.log" ||
    { cat "$work/cmake.log"; fail "docs/example does not configure against the install"; }
  cmake --build "$work/example" >"$work/build.log" || { cat "$work/build.log"; fail "docs/example does not build"; }
  "$work/example/print-crash" "$core" "$exe" >"$work/example.out" || fail "print-crash exited $?"
  cat "$work/example.out"
  # The same frames as the CLI's JSON report of the crashing thread (functions in order).
  "$root/usr/bin/corelens" analyze --format json --exe "$exe" "$core" >"$work/report.json"
  want=$(python3 -c 'import json,sys; r=json.load(open(sys.argv[1])); t=[t for t in r["threads"] if t.get("crashed")][0]
print(" ".join(f.get("function") or "??" for f in t["frames"]))' "$work/report.json")
  got=$(sed -nE 's/^  #[0-9]+ +(0x[0-9a-f]+ +in|\[inlined\]) ([^ ]+).*/\2/p' "$work/example.out" | tr '\n' ' ' | sed 's/ $//')
  [[ $got == "$want" ]] || fail "print-crash frames '$got' differ from corelens analyze's '$want'"
  grep -q '^SIG' "$work/example.out" || fail "print-crash printed no signal"
  # print-crash on a file that is not a dump: an error message, exit 65.
  set +e
  "$work/example/print-crash" "$src/README.md" 2>"$work/err"; st=$?
  set -e
  [[ $st -eq 65 && -s $work/err ]] || fail "print-crash on a non-dump: status $st"
  echo "docs/example: $(wc -w <<<"$got") frames, as corelens analyze"
  ;;
*) fail "unknown mode $mode" ;;
esac
for what in "${left_out[@]}"; do echo "opted out (CORELENS_SKIP=${what%%:*}):${what#*:}"; done
((${#left_out[@]} == 0)) || exit 77
