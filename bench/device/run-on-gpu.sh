#!/usr/bin/env bash
# Runs `npm run bench -- --device webgpu` on a machine without Node (the lent NVIDIA machine),
# from the bundle that `node bench/device/pack.mjs` made in .gpu-bench/ (carried beside the
# repository). With the device tool, one call:
#
#   run(command: "bash bench/device/run-on-gpu.sh", carry: [".gpu-bench"], timeout_s: 480)
#
# Arguments go to the bench (e.g. --quick, --rounds 8). The results JSON and the log go to $OUT
# when it is set (the device tool brings them back), else to bench/.
set -euo pipefail
cd "$(dirname "$0")/../.."
bundle=${GPU_BENCH_BUNDLE:-.gpu-bench}
out=${OUT:-bench}
node_home=$(mktemp -d /tmp/gpu-bench-node.XXXXXX)

tar -xJf "$bundle/node.tar.xz" -C "$node_home"
export PATH="$node_home/bin:$PATH"
if [ ! -e node_modules ]; then tar -xJf "$bundle/node_modules.tar.xz"; fi

# Dawn's Vulkan backend opens libvulkan.so.1 (the Vulkan loader), which the image may lack.
if ! ldconfig -p | grep -q 'libvulkan\.so\.1'; then
  deb=$(ls "$bundle"/libvulkan1_*.deb 2>/dev/null | head -n 1 || true)
  if [ -n "$deb" ] && command -v nvidia-smi >/dev/null && [ "$(id -u)" = 0 ]; then
    # The lent machine: unpacked into / as its notes prescribe (seen to work there).
    dpkg -x "$deb" / && ldconfig
  elif [ -n "$deb" ]; then
    # Anywhere else: a private copy, so the machine itself is left as it was.
    dpkg -x "$deb" "$node_home/vulkan"
    export LD_LIBRARY_PATH="$node_home/vulkan/usr/lib/x86_64-linux-gnu${LD_LIBRARY_PATH:+:$LD_LIBRARY_PATH}"
  fi
fi
# The NVIDIA driver's Vulkan manifest lives outside the loader's search path on that machine.
nvidia_icd=/usr/local/nvidia/share/vulkan/icd.d/nvidia_icd.json
if [ -z "${VK_DRIVER_FILES:-}" ] && [ -e "$nvidia_icd" ] &&
  ! ls /usr/share/vulkan/icd.d/nvidia* /etc/vulkan/icd.d/nvidia* >/dev/null 2>&1; then
  export VK_DRIVER_FILES=$nvidia_icd
fi

echo "node $(node --version) at $(command -v node), npm $(npm --version)"
if command -v nvidia-smi >/dev/null; then
  nvidia-smi --query-gpu=name,driver_version,memory.total --format=csv,noheader || true
  echo "Vulkan loader: $(ldconfig -p | grep -o 'libvulkan\.so\.1 .*' | head -n 1), VK_DRIVER_FILES=${VK_DRIVER_FILES:-}"
  # On a GPU machine, Vulkan or nothing: a fallback to a software adapter would run the full
  # sizes for hours instead of failing at once with the reason.
  export AUTODAG_DAWN_BACKEND=${AUTODAG_DAWN_BACKEND:-vulkan}
fi
mkdir -p "$out"
npm run bench -- --device webgpu --out "$out/results-webgpu.json" "$@" 2>&1 |
  tee "$out/bench-webgpu.log"
