#!/usr/bin/env bash
# Installs flowcast into a scratch prefix and builds a program against it with
# pkg-config, as another C code would.  usage: check_install.sh BUILD_DIR SCRATCH_DIR
set -euo pipefail
build=$1 scratch=$2
rm -rf "$scratch" && mkdir -p "$scratch"
cmake --install "$build" --prefix "$scratch/prefix" >/dev/null
pc="$scratch/prefix/lib/pkgconfig"
[[ -d $pc ]] || pc=$(dirname "$(find "$scratch/prefix" -name flowcast.pc | head -1)")
export PKG_CONFIG_PATH="$pc"
test -x "$scratch/prefix/bin/flowcast"
cc -std=c11 -Wall -Wextra -Werror "$(dirname "$0")/consumer.c" -o "$scratch/consumer" \
   $(pkg-config --cflags --libs flowcast) -Wl,-rpath,"$(pkg-config --variable=libdir flowcast)"
mpiexec -n 1 "$scratch/consumer" | grep -q "grid of 720 points"
"$scratch/prefix/bin/flowcast" --version | grep -q "^flowcast "
echo "install and pkg-config: ok ($(pkg-config --modversion flowcast))"
