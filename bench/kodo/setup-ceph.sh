#!/usr/bin/env bash
# Installs what Kodo's bench (npm run bench -- kodo) compares against, on demand, from Debian's apt:
# one-host Ceph (mon, osd, mgr, RGW) as the S3 peer, and fio for the raw-disk reference.
# Bench-only: the console, its tests and appliances need none of it, so it is not in
# scripts/setup-system.sh. Usage (as root): bash bench/kodo/setup-ceph.sh
set -euo pipefail
PACKAGES=(ceph-mon ceph-osd ceph-mgr radosgw ceph-common fio uuid-runtime)
missing=()
for p in "${PACKAGES[@]}"; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if [ ${#missing[@]} -eq 0 ]; then
  echo "setup-ceph: all ${#PACKAGES[@]} packages present"
  exit 0
fi
if [ "$(id -u)" != 0 ]; then
  echo "setup-ceph: ${missing[*]} missing; run as root: sudo bash bench/kodo/setup-ceph.sh" >&2
  exit 1
fi
echo "setup-ceph: installing ${missing[*]}"
apt-get update -qq
# No daemons started by the packages: the bench runs its own cluster in a private directory.
DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
