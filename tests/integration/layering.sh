#!/usr/bin/env bash
# The build enforces the layering of ARCHITECTURE.md: each folder's library
# sees the public headers of the folders below it and no others.
#
# usage: layering.sh CXX REPO FOLDER=DIR:DIR... (one per folder library)
#
# For every folder library, with exactly the include directories CMake gives
# it: every header owned by the folder or a folder below must preprocess, and
# every header of a folder above (or beside) must not be found. Every header
# must also compile alone with its own folder's directories (self-contained).
set -euo pipefail
cxx=$1 repo=$2
shift 2

# The intended layering, lowest first; a folder may use every folder before
# it. rules and report both sit over engine and do not see each other.
order=(base input sql aggregate db engine rules report)
below() {  # below FOLDER -> the folders it may include
  local f=$1 out=() x
  for x in "${order[@]}"; do
    [ "$x" = "$f" ] && break
    out+=("$x")
  done
  [ "$f" = report ] && out=("${out[@]/rules/}")
  echo "${out[@]}"
}

declare -A dirs
for arg in "$@"; do
  dirs[${arg%%=*}]=${arg#*=}
done
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
fails=0 checks=0
flags_of() {
  local f=$1 d out=()
  IFS=':' read -ra list <<<"${dirs[$f]}"
  for d in "${list[@]}"; do [ -n "$d" ] && out+=("-I$d"); done
  echo "${out[@]}"
}
for folder in "${order[@]}"; do
  [ -n "${dirs[$folder]+x}" ] || { echo "layering: no include directories given for $folder" >&2; exit 2; }
  read -ra flags <<<"$(flags_of "$folder")"
  allowed=" $folder $(below "$folder") "
  for header in "$repo"/include/*/pgsift/*.h; do
    owner=$(basename "$(dirname "$(dirname "$header")")")
    name=$(basename "$header")
    printf '#include "pgsift/%s"\n' "$name" >"$work/t.cpp"
    checks=$((checks + 1))
    if "$cxx" -std=c++20 -E "${flags[@]}" "$work/t.cpp" -o /dev/null 2>/dev/null; then
      found=1
    else
      found=0
    fi
    case $allowed in
      *" $owner "*) want=1 ;;
      *) want=0 ;;
    esac
    if [ "$found" != "$want" ]; then
      fails=$((fails + 1))
      if [ "$want" = 1 ]; then
        echo "FAIL: $folder cannot include pgsift/$name (owned by $owner, below it)"
      else
        echo "FAIL: $folder can include pgsift/$name (owned by $owner, not below it)"
      fi
    fi
  done
done
# Self-contained: each header compiles alone with its owner's directories.
for header in "$repo"/include/*/pgsift/*.h; do
  owner=$(basename "$(dirname "$(dirname "$header")")")
  name=$(basename "$header")
  read -ra flags <<<"$(flags_of "$owner")"
  printf '#include "pgsift/%s"\n' "$name" >"$work/t.cpp"
  checks=$((checks + 1))
  if ! "$cxx" -std=c++20 -fsyntax-only "${flags[@]}" "$work/t.cpp" 2>"$work/err"; then
    fails=$((fails + 1))
    echo "FAIL: pgsift/$name ($owner) does not compile alone:"
    head -5 "$work/err"
  fi
done
# A header outside include/<folder>/pgsift/ escapes the layering.
stray=$(find "$repo/include" -name '*.h' ! -path "$repo/include/*/pgsift/*.h" | sed "s#^$repo/##")
if [ -n "$stray" ]; then
  fails=$((fails + 1))
  echo "FAIL: headers outside include/<folder>/pgsift/: $stray"
fi
echo "layering: $checks checks, $fails failed"
[ "$fails" = 0 ]
