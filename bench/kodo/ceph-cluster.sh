#!/bin/bash
# ceph-cluster.sh: the S3 peer of Kodo's bench (bench/kodo.bench.ts): one-host Ceph (Debian's
# packages, bench/kodo/setup-ceph.sh) without systemd, cephadm or containers: a mon, a mgr, one
# BlueStore OSD per given directory (its block file on that disk), RGW, and RGW's data pool
# erasure-coded with the same k+m as Kodo's set, all inside a network namespace so its fixed ports
# meet nothing else on the machine.
#
#   ceph-cluster.sh up | down
#   env: D (cluster dir, required), NS (netns, required), OSD_DIRS (space-separated, one per OSD),
#        K, M, RGW_PORT, ACCESS_KEY, SECRET_KEY, OSD_SIZE (bytes of each BlueStore block file)
# `down` stops every daemon `up` started (by their pid files) and deletes the namespace; it is safe
# to run after a partial `up`.
set -euo pipefail
: "${D:?D (cluster dir) is required}" "${NS:?NS (network namespace) is required}"
K=${K:-4}
M=${M:-2}
RGW_PORT=${RGW_PORT:-7480}
OSD_SIZE=${OSD_SIZE:-4294967296}
export CEPH_CONF=$D/ceph.conf
T0=$(date +%s)
ts()  { echo "[ceph $(( $(date +%s) - T0 ))s] $*" >&2; }
nsx() { ip netns exec "$NS" "$@"; }
C()   { nsx ceph --connect-timeout 30 "$@"; }

down() {
  for f in "$D"/run/client.*.pid "$D"/run/osd.*.pid "$D"/run/mgr.*.pid "$D"/run/mon.*.pid; do
    [ -e "$f" ] || continue
    pid=$(cat "$f")
    kill "$pid" 2>/dev/null || true
    for _ in $(seq 75); do kill -0 "$pid" 2>/dev/null || break; sleep 0.2; done
    kill -0 "$pid" 2>/dev/null && kill -9 "$pid" 2>/dev/null || true
    rm -f "$f"
  done
  ip netns del "$NS" 2>/dev/null || true
}

up() {
  : "${OSD_DIRS:?OSD_DIRS (one directory per OSD) is required}"
  [ -e "$D" ] && { echo "$D exists: run 'D=$D NS=$NS $0 down' and remove it first" >&2; exit 1; }
  mkdir -p "$D"/{run,log,mon,mgr,rgw,crash}
  ip netns add "$NS"
  nsx ip link set lo up
  FSID=$(uuidgen)
  # Memory settings as small as BlueStore takes without thrashing on a shared machine; the
  # rest as Ceph's defaults, with autoscaling off so placement groups stay as created.
  cat > "$CEPH_CONF" <<CONF
[global]
fsid = $FSID
mon_initial_members = a
mon_host = [v2:127.0.0.1:3300,v1:127.0.0.1:6789]
public_network = 127.0.0.0/8
ms_bind_ipv6 = false
auth_cluster_required = cephx
auth_service_required = cephx
auth_client_required = cephx
auth_allow_insecure_global_id_reclaim = false
keyring = $D/\$cluster.\$name.keyring
run_dir = $D/run
crash_dir = $D/crash
osd_pool_default_size = 2
osd_pool_default_min_size = 1
osd_pool_default_pg_num = 8
osd_pool_default_pgp_num = 8
osd_pool_default_pg_autoscale_mode = off
osd_crush_chooseleaf_type = 0
mon_allow_pool_delete = true
mon_allow_pool_size_one = true
mon_warn_on_pool_no_redundancy = false
mon_data_avail_warn = 2
mon_data_avail_crit = 1
mon_max_pg_per_osd = 500
mgr_initial_modules = iostat
[mon]
mon_data = $D/mon/\$cluster-\$id
keyring = $D/mon/ceph-a/keyring
pid_file = $D/run/\$name.pid
admin_socket = $D/run/\$cluster-\$name.asok
log_file = $D/log/\$cluster-\$name.log
[mgr]
mgr_data = $D/mgr/\$cluster-\$id
keyring = $D/mgr/\$cluster-\$id/keyring
pid_file = $D/run/\$name.pid
admin_socket = $D/run/\$cluster-\$name.asok
log_file = $D/log/\$cluster-\$name.log
CONF
  ID=0
  for dir in $OSD_DIRS; do
    cat >> "$CEPH_CONF" <<CONF
[osd.$ID]
osd_data = $dir
keyring = $dir/keyring
CONF
    ID=$((ID + 1))
  done
  cat >> "$CEPH_CONF" <<CONF
[osd]
pid_file = $D/run/\$name.pid
admin_socket = $D/run/\$cluster-\$name.asok
log_file = $D/log/\$cluster-\$name.log
osd_objectstore = bluestore
bluestore_block_create = true
bluestore_block_size = $OSD_SIZE
osd_memory_target = 1073741824
osd_memory_base = 268435456
osd_memory_cache_min = 67108864
[client.rgw.a]
keyring = $D/rgw/keyring
rgw_data = $D/rgw
pid_file = $D/run/\$name.pid
admin_socket = $D/run/\$cluster-\$name.asok
log_file = $D/log/\$cluster-\$name.log
rgw_frontends = beast endpoint=127.0.0.1:$RGW_PORT
CONF

  ceph-authtool --create-keyring "$D/mon.keyring" --gen-key -n mon. --cap mon 'allow *' >/dev/null
  ceph-authtool --create-keyring "$D/ceph.client.admin.keyring" --gen-key -n client.admin \
    --cap mon 'allow *' --cap osd 'allow *' --cap mds 'allow *' --cap mgr 'allow *' >/dev/null
  ceph-authtool "$D/mon.keyring" --import-keyring "$D/ceph.client.admin.keyring" >/dev/null
  monmaptool --create --enable-all-features --clobber --fsid "$FSID" \
    --addv a '[v2:127.0.0.1:3300,v1:127.0.0.1:6789]' "$D/monmap" >/dev/null
  ceph-mon --mkfs -i a --monmap "$D/monmap" --keyring "$D/mon.keyring"
  nsx ceph-mon -i a
  C mon enable-msgr2 >/dev/null 2>&1 || true
  ts "mon up"

  mkdir -p "$D/mgr/ceph-x"
  C auth get-or-create mgr.x mon 'allow profile mgr' osd 'allow *' mds 'allow *' -o "$D/mgr/ceph-x/keyring"
  nsx ceph-mgr -i x

  # mkfs of every OSD at once: one after the other it is most of the start-up time.
  NOSD=0
  IDS=()
  for dir in $OSD_DIRS; do
    UUID=$(uuidgen)
    ID=$(C osd new "$UUID")
    mkdir -p "$dir"
    IDS+=("$ID")
    nsx ceph-osd -i "$ID" --mkfs --mkkey --osd-uuid "$UUID" --no-mon-config > "$D/log/mkfs.osd.$ID.log" 2>&1 &
    NOSD=$((NOSD + 1))
  done
  for job in $(jobs -p); do
    wait "$job" || { tail -20 "$D"/log/mkfs.osd.*.log >&2; exit 1; }
  done
  set -- $OSD_DIRS
  for ID in "${IDS[@]}"; do
    C auth add "osd.$ID" osd 'allow *' mon 'allow profile osd' mgr 'allow profile osd' -i "$1/keyring" >/dev/null
    nsx ceph-osd -i "$ID" 2>>"$D/log/osd-start.log"
    shift
  done
  for _ in $(seq 180); do
    [ "$(C osd stat -f json | python3 -c 'import json,sys;print(json.load(sys.stdin)["num_up_osds"])')" = "$NOSD" ] && break
    sleep 1
  done
  ts "osds up: $(C osd stat)"

  C osd erasure-code-profile set "k${K}m${M}" "k=$K" "m=$M" crush-failure-domain=osd >/dev/null
  C osd pool create default.rgw.buckets.data 32 32 erasure "k${K}m${M}" >/dev/null 2>&1
  C osd pool application enable default.rgw.buckets.data rgw >/dev/null
  # No scrubbing during the bench: a scrub started mid-round would read the disks under Kodo's figures.
  C osd set noscrub >/dev/null 2>&1
  C osd set nodeep-scrub >/dev/null 2>&1
  ts "EC pool k=$K m=$M created"

  C auth get-or-create client.rgw.a mon 'allow rw' osd 'allow rwx' mgr 'allow rw' -o "$D/rgw/keyring"
  nsx radosgw -n client.rgw.a
  for _ in $(seq 180); do nsx curl -sf -o /dev/null "http://127.0.0.1:$RGW_PORT/" && break; sleep 1; done
  wait_clean
  nsx radosgw-admin user create --uid=bench --display-name=bench \
    --access-key="$ACCESS_KEY" --secret-key="$SECRET_KEY" >/dev/null
  ts "rgw answering on 127.0.0.1:$RGW_PORT in netns $NS"
}

wait_clean() {
  for _ in $(seq 180); do
    C pg stat | grep -qE '^[0-9]+ pgs: [0-9]+ active\+clean;' && return 0
    sleep 1
  done
  echo "placement groups not active+clean after 180 s: $(C pg stat)" >&2
  exit 1
}

case "${1:-}" in up) up ;; down) down ;; *) echo "usage: $0 up|down" >&2; exit 2 ;; esac
