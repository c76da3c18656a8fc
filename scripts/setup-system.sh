#!/usr/bin/env bash
# System packages the console's tests, testbed and benchmarks need, from Debian's apt.
# Usable by people too:  sudo bash scripts/setup-system.sh
set -euo pipefail

PACKAGES=(
  # end-to-end UI tests drive Debian's Chromium (Playwright's own browser download is not used)
  chromium
  # the testbed: real sshd per simulated appliance, network namespaces, loop disks, a sudo user
  openssh-server openssh-client iproute2 util-linux e2fsprogs passwd sudo procps psmisc
  # testbed disks that can fail for real (EIO): nbdkit's error filter served through nbdfuse
  # under the loop device, because this kernel has no device-mapper (appliance/testbed/README.md)
  nbdkit libnbd-bin fuse3
  # sessions inside a testbed machine see a skewed clock for the clock-skew fault
  libfaketime
  # a CJK font, so screenshots of the zh-CN UI (test artifacts) show Chinese glyphs
  fonts-wqy-microhei
  # TLS test certificates
  openssl
  # handy for inspecting the store by hand
  sqlite3
  # the Node.js runtime ships zstd-compressed too (scripts/fetch-node-runtimes.mjs), and testbed
  # machines unpack it with the host's zstd, as a machine that has zstd does
  zstd
  # Kodo's erasure kernel is checked byte for byte against Intel ISA-L, and benchmarked against it
  # (tests/integration/erasure-isal.test.ts, bench/isal/): its headers and library, and a C compiler
  libisal-dev gcc libc6-dev
  # Kodo's S3 API is tested with the AWS CLI as people use it (tests/integration/kodo-*)
  awscli
)

missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-system: all ${#PACKAGES[@]} packages present"
  exit 0
fi

SUDO=""
[ "$(id -u)" -eq 0 ] || SUDO="sudo"
echo "setup-system: installing ${missing[*]}"
$SUDO apt-get update -qq
DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
echo "setup-system: done"
