#!/bin/sh
# tests/cross/armhf.sh [BUILD_DIR]: the suite built for 32-bit ARM and run
# under qemu-user; see tests/cross/qemu.sh (which also does arm64).
exec "$(dirname "$0")/qemu.sh" armhf "$@"
