#!/usr/bin/env bash
# Compile time of a typical dist program against its includes alone:
#   benchmarks/compile/measure.sh [compiler]   (default: mpicxx's compiler, g++)
# Prints one JSON line per translation unit (CPU seconds, peak KB) and the ratio.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cxx="${1:-g++}"
inc=$(mpicxx --showme:compile 2>/dev/null || echo "")
flags=(-std=c++20 -O3 -DNDEBUG -DOMPI_SKIP_MPICXX=1 -I"$here/../../include" $inc)
out=$(mktemp -d)
for tu in base user; do
  /usr/bin/time -f "%U %S %M" -o "$out/$tu.time" "$cxx" "${flags[@]}" -c "$here/$tu.cpp" -o "$out/$tu.o"
  read -r u s m < "$out/$tu.time"
  cpu=$(awk -v u="$u" -v s="$s" 'BEGIN { printf "%.2f", u + s }')
  echo "{\"tu\": \"$tu\", \"cpu_seconds\": $cpu, \"peak_kb\": $m}"
  eval "cpu_$tu=$cpu"
done
echo "{\"ratio_user_over_base\": $(awk -v a="$cpu_user" -v b="$cpu_base" 'BEGIN { printf "%.1f", a / b }')}"
rm -rf "$out"
