#!/usr/bin/env bash
# Compile time of one statement, separate compilation (the file's includes
# and set-up subtracted): benchmarks/compile/per_statement.sh [compiler] [runs]
# Compiles statements.cpp without statements, with eight assignments and
# with eight reductions of element-wise expressions, at -O3 and at -O1,
# alternating, `runs` times each (default 3); prints one JSON line per kind
# and level: the fastest run's CPU seconds per statement.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cxx="${1:-g++}"
runs="${2:-3}"
inc=$(mpicxx --showme:compile 2>/dev/null || echo "")
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck source=timing.sh
source "$here/timing.sh"
cpu() {  # one compile's CPU seconds ($inc: words meant to split)
  # shellcheck disable=SC2086
  timed "$out/time" "$cxx" -std=c++20 -DNDEBUG -DOMPI_SKIP_MPICXX=1 -DDIST_SEPARATE_COMPILATION \
    -I"$here/../../include" $inc "$@" -c "$here/statements.cpp" -o "$out/x.o" | cut -d' ' -f1
}
declare -A best
variants=(none assignments reductions)
flags_of() {
  case $1 in
    none) ;;
    assignments) echo -DDIST_STATEMENTS ;;
    reductions) echo -DDIST_STATEMENTS -DDIST_REDUCTIONS ;;
  esac
}
for ((r = 0; r < runs; ++r)); do
  for level in -O3 -O1; do
    for v in "${variants[@]}"; do
      # shellcheck disable=SC2046
      c=$(cpu "$level" $(flags_of "$v"))
      k="$v$level"
      if faster "$c" "${best[$k]:-}"; then best[$k]=$c; fi
    done
  done
done
for level in -O3 -O1; do
  for v in assignments reductions; do
    awk -v v="$v" -v l="${level#-}" -v w="${best[$v$level]}" -v n="${best[none$level]}" \
      'BEGIN { printf "{\"statement\": \"%s\", \"level\": \"%s\", \"ms_per_statement\": %.0f, \"file_seconds\": %.2f, \"without_statements_seconds\": %.2f}\n", v, l, (w - n) * 1000 / 8, w, n }'
  done
done
