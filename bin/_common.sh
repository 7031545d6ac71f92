# Shared helpers for the bin/ scripts; sourced, not run.
# shellcheck shell=bash

RESNET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RAPAIO_VERSION="3.0.1"

# Maven 3.8's console library (jansi 2.4) writes colour resets (ESC[0m) when it exits, even with
# -B -q -Dstyle.color=never; jansi.noreset stops that. Maven's JVM reads it from MAVEN_OPTS only.
case " ${MAVEN_OPTS:-} " in
  *" -Djansi.noreset=true "*) ;;
  *) export MAVEN_OPTS="${MAVEN_OPTS:+$MAVEN_OPTS }-Djansi.noreset=true" ;;
esac

say() { printf '%s\n' "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }

# The java that runs the kernel and the CLI: $JAVA_HOME/bin/java if set, else the one on PATH.
find_java() {
  local java
  if [ -n "${JAVA_HOME:-}" ] && [ -x "$JAVA_HOME/bin/java" ]; then
    java="$JAVA_HOME/bin/java"
  else
    java="$(command -v java || true)"
  fi
  [ -n "$java" ] || die "Java 17 or newer is needed and none was found.
  Debian/Ubuntu: sudo apt-get install openjdk-17-jdk    conda: conda env create -f environment.yml"
  local version
  version="$("$java" -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java\.specification\.version = //p')"
  case "$version" in
    1.*|9|10|11|12|13|14|15|16|"")
      die "Java 17 or newer is needed; $java is version '${version:-unknown}'.
  Debian/Ubuntu: sudo apt-get install openjdk-17-jdk, then set JAVA_HOME to it" ;;
  esac
  # Resolve symlinks so the kernelspec keeps working if PATH changes.
  readlink -f "$java"
}

find_mvn() {
  command -v mvn >/dev/null 2>&1 || die "Maven is needed and was not found.
  Debian/Ubuntu: sudo apt-get install maven    conda: conda env create -f environment.yml"
  echo mvn
}

# A python that has Jupyter's client and nbclient (Debian's /usr/bin/python3, or conda's python3).
find_python() {
  local candidate
  for candidate in "${RESNET_PYTHON:-}" python3 /usr/bin/python3; do
    [ -n "$candidate" ] || continue
    command -v "$candidate" >/dev/null 2>&1 || continue
    if "$candidate" -c 'import jupyter_client, nbclient, nbformat' >/dev/null 2>&1; then
      command -v "$candidate"
      return 0
    fi
  done
  return 1
}

require_python() {
  find_python || die "Jupyter (with nbclient) is needed and was not found for any python3.
  Debian/Ubuntu: sudo apt-get install jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel
  conda:         conda env create -f environment.yml && conda activate resnet-java"
}

FASHION_MNIST_DEFAULT_DIR="/usr/share/datasets/fashion-mnist"
DEBIAN_PACKAGES_JUPYTER="jupyter-notebook jupyter-nbconvert jupyter-client python3-nbclient python3-ipykernel"
DEBIAN_PACKAGE_DATA="dataset-fashion-mnist"
# The PyTorch side of the weights tests (resnet.weights.TorchvisionWeightsTest), run with /usr/bin/python3.
DEBIAN_PACKAGES_TORCH="python3-torch python3-torchvision"

# Installs what the notebooks and tests need from Debian when it is missing (as root), or stops
# and names it. A Jupyter from conda (environment.yml) and data in FASHION_MNIST_DIR count as present.
ensure_system_packages() {
  local missing=()
  local python
  python="$(find_python || true)"
  if [ -z "$python" ] || ! "$python" -c 'import notebook' >/dev/null 2>&1 && ! "$python" -c 'import jupyterlab' >/dev/null 2>&1; then
    # shellcheck disable=SC2206
    missing+=($DEBIAN_PACKAGES_JUPYTER)
  fi
  local data="${FASHION_MNIST_DIR:-$FASHION_MNIST_DEFAULT_DIR}"
  if [ ! -s "$data/train-images-idx3-ubyte.gz" ]; then
    missing+=("$DEBIAN_PACKAGE_DATA")
  fi
  if [ "${#missing[@]}" -gt 0 ]; then
    install_debian_packages "  conda:         conda env create -f environment.yml && conda activate resnet-java
                 (then set FASHION_MNIST_DIR to a folder with the four Fashion-MNIST .gz files)" "${missing[@]}"
  fi
  install_optional_allocator
}

# What the tests need beyond the notebooks: PyTorch and torchvision for a python3 (Debian's
# /usr/bin/python3, python3 on PATH, or $RESNET_TORCH_PYTHON; the test tries them in that order), so
# that the weights tests can make their reference files. Installed from Debian when none has them.
ensure_test_packages() {
  local candidate
  for candidate in "${RESNET_TORCH_PYTHON:-}" /usr/bin/python3 python3; do
    [ -n "$candidate" ] || continue
    "$candidate" -c 'import torch, torchvision' >/dev/null 2>&1 && return 0
  done
  # shellcheck disable=SC2086
  install_debian_packages "" $DEBIAN_PACKAGES_TORCH
}

# tcmalloc (Debian's libtcmalloc-minimal4) for the kernel and bin/resnet: installed when missing and
# run as root with apt-get; otherwise, or when apt cannot get it, nothing happens (glibc's malloc
# works, with more page faults and a higher peak).
install_optional_allocator() {
  [ -z "$(RESNET_MALLOC=tcmalloc malloc_library 2>/dev/null)" ] || return 0
  command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ] || return 0
  say "installing Debian package libtcmalloc-minimal4 (optional: the kernel's and bin/resnet's allocator)"
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q --no-install-recommends libtcmalloc-minimal4 >/dev/null 2>&1 \
    || { apt-get update -q >/dev/null 2>&1 && apt-get install -y -q --no-install-recommends libtcmalloc-minimal4 >/dev/null 2>&1; } \
    || say "  libtcmalloc-minimal4 could not be installed; going on with glibc's malloc"
}

# install_debian_packages HINT PACKAGE...: apt-get installs the packages when run as root on
# Debian/Ubuntu, else stops naming them, with HINT (another way to get them, may be empty) below.
install_debian_packages() {
  local hint="$1"
  shift
  if command -v apt-get >/dev/null 2>&1 && [ "$(id -u)" = 0 ]; then
    say "installing Debian packages: $*"
    export DEBIAN_FRONTEND=noninteractive
    apt-get update -q >&2 || die "apt-get update failed"
    apt-get install -y -q --no-install-recommends "$@" >&2 || die "apt-get install $* failed"
  else
    die "missing: $*.
  Debian/Ubuntu: sudo apt-get install $*${hint:+
$hint}"
  fi
}

# How the OpenMP threads of libtorch (its own, MKL's, oneDNN's; the PyTorch side's OpenBLAS too, all
# GNU libgomp here) wait for each other at the end of every parallel operator, chosen by
# RESNET_OMP_WAIT:
#   passive  (the default) sleep at once: a thread that waits gives its core to whoever needs it
#   active   spin: the fastest hand-over when every thread has a core of its own, and a collapse
#            when they do not (a spinning thread holds the core its partner needs)
#   runtime  leave OMP_WAIT_POLICY unset: libgomp spins for a while, then sleeps
# Passive is the default because a notebook or a training run rarely has the machine to itself: on
# this 2-core machine shared with other jobs (load 3 to 6), two spinning threads made a ResNet-20
# training step several times slower than one thread; the measurements behind the choice, and the
# one-command comparison to repeat on another machine (scripts/bench.sh --omp-wait passive,active),
# are in README, "Performance". An OMP_WAIT_POLICY already set, with RESNET_OMP_WAIT unset, is kept.
# Prints PASSIVE or ACTIVE, or nothing for runtime.
omp_wait_policy() {
  local choice="${RESNET_OMP_WAIT:-}"
  if [ -z "$choice" ]; then
    choice="${OMP_WAIT_POLICY:-passive}"
  fi
  case "$choice" in
    passive|PASSIVE) printf 'PASSIVE' ;;
    active|ACTIVE) printf 'ACTIVE' ;;
    runtime) ;;
    *) die "RESNET_OMP_WAIT (or OMP_WAIT_POLICY) must be passive, active or runtime, got '$choice'" ;;
  esac
}

# Exports OMP_WAIT_POLICY as omp_wait_policy chooses it (unsets it for runtime).
export_omp_wait_policy() {
  local policy
  policy="$(omp_wait_policy)" || exit 1
  if [ -n "$policy" ]; then
    export OMP_WAIT_POLICY="$policy"
  else
    unset OMP_WAIT_POLICY
  fi
}

# Exports ONEDNN_DEFAULT_FPMATH_MODE as RESNET_FPMATH chooses it: strict (the default: float32
# throughout) or bf16 (oneDNN's float32 convolutions may round their inputs to bfloat16 where the
# processor multiplies it in hardware, AVX-512 BF16 or AMX, summing in float32; README, "Where a
# ResNet-20 step goes"). oneDNN reads it once, when the engine loads, so it is set before the JVM starts.
export_fpmath() {
  case "${RESNET_FPMATH:-strict}" in
    strict|STRICT) unset ONEDNN_DEFAULT_FPMATH_MODE ;;
    bf16|BF16) export ONEDNN_DEFAULT_FPMATH_MODE=BF16 ;;
    *) die "RESNET_FPMATH must be strict or bf16, got '${RESNET_FPMATH}'" ;;
  esac
}

# The native allocator for a JVM that runs DJL, chosen by RESNET_MALLOC: tcmalloc (the default when
# Debian's libtcmalloc-minimal4 is installed), jemalloc, or glibc. With glibc, a JVM's threads
# allocate from per-thread arenas that hand every new activation freshly mapped pages: about 26,000
# page faults (100 MB zeroed by the kernel) per ResNet-20 training step, against ~500 with
# tcmalloc, which also lowers the peak resident memory (numbers in README, "Performance").
# Prints the library to preload, or nothing.
malloc_library() {
  local choice="${RESNET_MALLOC:-auto}" lib=""
  case "$choice" in
    auto|tcmalloc) lib="$(ls /usr/lib/*/libtcmalloc_minimal.so.4 /usr/lib/libtcmalloc_minimal.so.4 2>/dev/null | head -1 || true)" ;;
    jemalloc) lib="$(ls /usr/lib/*/libjemalloc.so.2 /usr/lib/libjemalloc.so.2 2>/dev/null | head -1 || true)" ;;
    glibc) return 0 ;;
    *) die "RESNET_MALLOC must be tcmalloc, jemalloc or glibc, got '$choice'" ;;
  esac
  if [ -z "$lib" ] && [ "$choice" != auto ]; then
    die "RESNET_MALLOC=$choice but its library is not installed.
  Debian/Ubuntu: sudo apt-get install $([ "$choice" = jemalloc ] && echo libjemalloc2 || echo libtcmalloc-minimal4)"
  fi
  printf '%s' "$lib"
}
