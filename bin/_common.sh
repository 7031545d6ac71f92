# Shared helpers for the bin/ scripts; sourced, not run.
# shellcheck shell=bash

RESNET_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
RAPAIO_VERSION="3.0.1"

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
  [ "${#missing[@]}" -gt 0 ] || return 0
  install_debian_packages "  conda:         conda env create -f environment.yml && conda activate resnet-java
                 (then set FASHION_MNIST_DIR to a folder with the four Fashion-MNIST .gz files)" "${missing[@]}"
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
