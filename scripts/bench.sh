#!/usr/bin/env bash
# DJL (the library's models through bin/resnet bench) against PyTorch (scripts/bench_torch.py) on
# this machine: the same models, shapes, batch, optimiser and threads, each model in a fresh process,
# Java and PyTorch alternating, then one table with the ratios DJL / PyTorch.
#
#   scripts/bench.sh [--rounds R] [--threads N] [--steps N] [--warmup N] [--models CASES] [--out DIR]
#                    [--malloc tcmalloc|jemalloc|glibc] [--torch-malloc glibc|tcmalloc|jemalloc]
#                    [--omp-wait passive|active|runtime[,...]]
#
#   --rounds R     run every model R times on each side, alternating which side goes first (default 3);
#                  the table shows the median over rounds of each run's median images/s
#   --threads N    engine threads on both sides (default: all processors)
#   --steps N      timed steps per run (default 10); --warmup N untimed steps first (default 3)
#   --models CASES as for bin/resnet bench (default: the issue's four cases)
#   --out DIR      where the raw lines and the table go (default target/bench)
#   --malloc A     the Java side's native allocator, as bin/resnet picks it (RESNET_MALLOC; default
#                  tcmalloc); --torch-malloc A the PyTorch side's (default glibc: PyTorch as installed)
#   --omp-wait W   how OpenMP threads wait, on both sides alike (OMP_WAIT_POLICY; see omp_wait_policy
#                  in bin/_common.sh); default: what bin/resnet uses (RESNET_OMP_WAIT, else passive).
#                  Several, e.g. passive,active: every case runs under each, taking turns within each
#                  round, and the table has a row per case and policy (an A/B in one command)
#
# JAVA_OPTS reaches the JVM (default below); OMP_*, MKL_* and the like reach both sides and are
# recorded in the output. Needs Debian's python3-torch and an optimised BLAS
# for it (libopenblas0-pthread; without it Debian's torch multiplies matrices with the reference
# BLAS at a few GFLOP/s): installed when missing and run as root, else named.
set -euo pipefail
source "$(dirname "${BASH_SOURCE[0]}")/../bin/_common.sh"

rounds=3 threads="$(nproc)" steps=10 warmup=3 models="" out="$RESNET_ROOT/target/bench"
malloc=tcmalloc torch_malloc=glibc omp_waits=""
while [ $# -gt 0 ]; do
  case "$1" in
    --rounds) rounds="$2"; shift 2 ;;
    --threads) threads="$2"; shift 2 ;;
    --steps) steps="$2"; shift 2 ;;
    --warmup) warmup="$2"; shift 2 ;;
    --models) models="$2"; shift 2 ;;
    --out) out="$2"; shift 2 ;;
    --malloc) malloc="$2"; shift 2 ;;
    --torch-malloc) torch_malloc="$2"; shift 2 ;;
    --omp-wait) omp_waits="$2"; shift 2 ;;
    -h|--help) awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$0"; exit 0 ;;
    *) die "unknown option $1 (scripts/bench.sh --help lists them)" ;;
  esac
done
for v in rounds threads steps; do
  [[ "${!v}" =~ ^[1-9][0-9]*$ ]] || die "--$v expects a positive whole number, got '${!v}'"
done
[[ "$warmup" =~ ^[0-9]+$ ]] || die "--warmup expects a whole number, got '$warmup'"
if [ -z "$omp_waits" ]; then
  omp_waits="$(omp_wait_policy | tr '[:upper:]' '[:lower:]')"
  omp_waits="${omp_waits:-runtime}"
fi
IFS=',' read -r -a policies <<< "$omp_waits"
for p in "${policies[@]}"; do
  case "$p" in
    passive|active|runtime) ;;
    *) die "--omp-wait takes passive, active or runtime (comma-separated for several), got '$p'" ;;
  esac
done

PY=/usr/bin/python3
need=()
"$PY" -c 'import torch' >/dev/null 2>&1 || need+=(python3-torch)
ls /usr/lib/x86_64-linux-gnu/libopenblas*.so* /usr/lib/*/openblas*/libblas.so.3 >/dev/null 2>&1 || need+=(libopenblas0-pthread)
for a in "$malloc" "$torch_malloc"; do
  case "$a" in
    tcmalloc) ls /usr/lib/*/libtcmalloc_minimal.so.4 >/dev/null 2>&1 || need+=(libtcmalloc-minimal4) ;;
    jemalloc) ls /usr/lib/*/libjemalloc.so.2 >/dev/null 2>&1 || need+=(libjemalloc2) ;;
    glibc) ;;
    *) die "--malloc and --torch-malloc take tcmalloc, jemalloc or glibc, got '$a'" ;;
  esac
done
[ "${#need[@]}" -eq 0 ] || install_debian_packages "" "${need[@]}"

export JAVA_OPTS="${JAVA_OPTS:--Dai.djl.offline=true}"
export RESNET_MALLOC="$malloc"
torch_preload="$(RESNET_MALLOC="$torch_malloc" malloc_library)"
mkdir -p "$out"
raw="$out/bench-$(date +%Y%m%d-%H%M%S).txt"
common=(--threads "$threads" --steps "$steps" --warmup "$warmup")
java_side() { "$RESNET_ROOT/bin/resnet" bench "$@" 2>/dev/null | grep -E '^(bench|matmul) ' || die "bin/resnet bench $* failed"; }
torch_side() { LD_PRELOAD="$torch_preload" "$PY" "$RESNET_ROOT/scripts/bench_torch.py" "$@" | grep -E '^(bench|matmul) ' || die "bench_torch.py $* failed"; }
# with_wait POLICY COMMAND...: runs COMMAND with OpenMP's wait policy set as bin/resnet would set it.
with_wait() { local policy="$1"; shift; ( export RESNET_OMP_WAIT="$policy"; export_omp_wait_policy; "$@" ); }

[ -n "$models" ] || models="$("$PY" "$RESNET_ROOT/scripts/bench_torch.py" --list-cases)"
{
  echo "machine $(lscpu | sed -n 's/^Model name: *//p' | head -1), $(nproc) processors, $(free -g | awk '/^Mem:/{print $2}') GiB"
  echo "load-before $(cut -d' ' -f1-3 /proc/loadavg)"
  echo "allocators: DJL $malloc, PyTorch $torch_malloc; JAVA_OPTS $JAVA_OPTS; threads $threads, $steps timed steps after $warmup, $rounds rounds"
  echo "OpenMP wait policy (both sides): ${omp_waits//,/, }"
  echo "environment (both sides): $(env | grep -E '^(OMP|GOMP|KMP|MKL|OPENBLAS)_' | grep -v '^OMP_WAIT_POLICY=' | sort | tr '\n' ' ' || true)"
} | tee "$raw"
say "matrix-multiply ceiling ..."
{ with_wait "${policies[0]}" java_side --matmul-only --threads "$threads"
  with_wait "${policies[0]}" torch_side --matmul-only --threads "$threads"; } | tee -a "$raw"
IFS=',' read -r -a cases <<< "$models"
for ((r = 1; r <= rounds; r++)); do
  # the policies take turns too: in reverse order every other round
  order=("${policies[@]}")
  if (( r % 2 == 0 )); then
    order=()
    for ((i = ${#policies[@]} - 1; i >= 0; i--)); do order+=("${policies[i]}"); done
  fi
  for c in "${cases[@]}"; do
    for p in "${order[@]}"; do
      say "round $r/$rounds: $c, OpenMP wait $p (load $(cut -d' ' -f1 /proc/loadavg))"
      if (( r % 2 )); then
        { with_wait "$p" java_side --models "$c" --no-matmul "${common[@]}"
          with_wait "$p" torch_side --models "$c" --no-matmul "${common[@]}"; } | tee -a "$raw"
      else
        { with_wait "$p" torch_side --models "$c" --no-matmul "${common[@]}"
          with_wait "$p" java_side --models "$c" --no-matmul "${common[@]}"; } | tee -a "$raw"
      fi
    done
  done
done
echo "load-after $(cut -d' ' -f1-3 /proc/loadavg)" | tee -a "$raw"
"$PY" "$RESNET_ROOT/scripts/bench_table.py" "$raw" | tee "${raw%.txt}.md"
say "raw lines: $raw   table: ${raw%.txt}.md"
