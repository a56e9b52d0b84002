#!/usr/bin/env bash
# Compile time of a typical dist program against its includes alone:
#   benchmarks/compile/measure.sh [compiler] [runs]   (default: g++, 3 runs)
# Compiles base.cpp (the standard, MPI and Boost.MPI includes, no dist),
# user.cpp header-only, and user.cpp with separate compilation
# (-DDIST_SEPARATE_COMPILATION: the instantiations of <dist/instantiations.hpp>
# only declared) and user.cpp with separate compilation and a precompiled
# <dist/dist.hpp> (g++'s -include of a .gch, what CMake's
# target_precompile_headers does), alternating, `runs` times each; prints
# one JSON line per translation unit (the fastest run's CPU seconds and its
# peak KB), the ratios to base, and once the one-time costs of
# src/separate.cpp and of the precompiled header (once per target each).
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
cxx="${1:-g++}"
runs="${2:-3}"
inc=$(mpicxx --showme:compile 2>/dev/null || echo "")
flags=(-std=c++20 -O3 -DNDEBUG -DOMPI_SKIP_MPICXX=1 -I"$here/../../include" $inc)
out=$(mktemp -d)
trap 'rm -rf "$out"' EXIT
# shellcheck source=timing.sh
source "$here/timing.sh"
# one compile: prints "cpu peak_kb"
compile() { timed "$out/time" "$cxx" "${flags[@]}" "$@" -o "$out/x.o"; }
echo '#include <dist/dist.hpp>' > "$out/pch.hxx"
# the precompiled header (g++'s .gch; clang's -include needs -include-pch instead)
precompile() { timed "$out/time" "$cxx" "${flags[@]}" -DDIST_SEPARATE_COMPILATION -x c++-header "$out/pch.hxx" -o "$out/pch.hxx.gch"; }
read -r pch_c pch_m < <(precompile)
declare -A best peak
tus=(base user user_separate)
[[ "$cxx" == *g++* ]] && tus+=(user_separate_pch)
for ((r = 0; r < runs; ++r)); do
  for tu in "${tus[@]}"; do
    case $tu in
      base) read -r c m < <(compile -c "$here/base.cpp") ;;
      user) read -r c m < <(compile -c "$here/user.cpp") ;;
      user_separate) read -r c m < <(compile -DDIST_SEPARATE_COMPILATION -c "$here/user.cpp") ;;
      user_separate_pch)
        read -r c m < <(compile -DDIST_SEPARATE_COMPILATION -Winvalid-pch -Werror=invalid-pch -include "$out/pch.hxx" \
          -c "$here/user.cpp") ;;
    esac
    if faster "$c" "${best[$tu]:-}"; then
      best[$tu]=$c
      peak[$tu]=$m
    fi
  done
done
for tu in "${tus[@]}"; do
  echo "{\"tu\": \"$tu\", \"cpu_seconds\": ${best[$tu]}, \"peak_kb\": ${peak[$tu]}, \"runs\": $runs}"
done
ratio() { awk -v a="$1" -v b="$2" 'BEGIN { printf "%.1f", a / b }'; }
pch_ratio=""
[[ -n "${best[user_separate_pch]:-}" ]] && pch_ratio=", \"ratio_user_separate_pch_over_base\": $(ratio "${best[user_separate_pch]}" "${best[base]}")"
echo "{\"ratio_user_over_base\": $(ratio "${best[user]}" "${best[base]}"), \"ratio_user_separate_over_base\": $(ratio "${best[user_separate]}" "${best[base]}")$pch_ratio}"
[[ "$cxx" == *g++* ]] && echo "{\"tu\": \"dist.hpp precompiled\", \"cpu_seconds\": $pch_c, \"peak_kb\": $pch_m, \"note\": \"once per target\"}"
read -r c m < <(compile -DDIST_SEPARATE_COMPILATION -I"$here/../.." -c "$here/../../src/separate.cpp")
echo "{\"tu\": \"src/separate.cpp\", \"cpu_seconds\": $c, \"peak_kb\": $m, \"note\": \"once per program\"}"
