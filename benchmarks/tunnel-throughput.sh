#!/usr/bin/env bash
# Tunnel throughput, red host A to red host B, through a gateway pair on the lab topology
# (benchmarks/lib/topology.sh): the strongSwan reference pair (strongSwan's user-space ESP data path,
# benchmarks/lib/strongswan.sh) and our gateway pair (ours_up/ours_down from benchmarks/lib/ipsecgw.sh).
# Each run measures strongSwan, then ours, with iperf3 TCP (-P 4 -t 10, server in host B); the
# summary gives each side's median in Mbit/s (iperf3's receiver sum) and the ratio ours/strongSwan.
# When benchmarks/lib/ipsecgw.sh is missing, only strongSwan is measured and the summary says so.
#
#   benchmarks/tunnel-throughput.sh [RUNS]     default 3 runs; needs root
#
# Environment: IPERF_TIME (10), IPERF_OMIT (3), IPERF_STREAMS (4), SSWAN_IKE / SSWAN_ESP (strongSwan proposals,
# default aes128gcm16-prfsha256-x25519 / aes128gcm16). iperf3, jq and ping are installed with apt
# when missing. Raw iperf3 JSON, charon logs and the summary: benchmarks/results/tunnel-<time>/.
# Everything it creates (namespaces, processes) is removed on exit, also on failure or Ctrl-C.
# Our pair's contract: `ours_up <prefix>` starts both gateways on the existing topology with a tunnel
# 10.201.1.0/24 <-> 10.201.2.0/24 between 10.201.0.1 and 10.201.0.2 and returns 0 once it carries
# traffic; `ours_down <prefix>` stops them and leaves the topology as it found it.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

runs=${1:-3}
if ! [[ $runs =~ ^[1-9][0-9]*$ ]]; then
  echo "usage: $0 [RUNS]" >&2
  exit 2
fi
iperf_time=${IPERF_TIME:-10}
# The first seconds are not counted (iperf3 --omit): TCP slow start, and the JIT warming up our gateway.
iperf_omit=${IPERF_OMIT:-3}
streams=${IPERF_STREAMS:-4}
if [ "$(id -u)" != 0 ]; then
  echo "tunnel-throughput: needs root (network namespaces)" >&2
  exit 1
fi

# shellcheck source=SCRIPTDIR/lib/topology.sh
. benchmarks/lib/topology.sh
# shellcheck source=SCRIPTDIR/lib/strongswan.sh
. benchmarks/lib/strongswan.sh
ike=${SSWAN_IKE:-$SSWAN_DEFAULT_IKE}
esp=${SSWAN_ESP:-$SSWAN_DEFAULT_ESP}

have_ours=0
if [ -f benchmarks/lib/ipsecgw.sh ]; then
  # shellcheck source=/dev/null # written separately; may not exist yet
  . benchmarks/lib/ipsecgw.sh
  if declare -F ours_up >/dev/null && declare -F ours_down >/dev/null; then
    have_ours=1
  else
    echo "tunnel-throughput: benchmarks/lib/ipsecgw.sh defines no ours_up/ours_down" >&2
  fi
fi

updated=0
need() { # command package
  command -v "$1" >/dev/null && return 0
  if [ "$updated" = 0 ]; then
    apt-get update -qq >&2
    updated=1
  fi
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "$2" >&2
}
need iperf3 iperf3
need jq jq
need ping iputils-ping
sswan_install

prefix=tp$$
out=$root/benchmarks/results/tunnel-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
export SSWAN_LOG_DIR=$out

ours_started=0
cleanup() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if [ "$ours_started" = 1 ]; then
    ours_down "$prefix"
  fi
  sswan_down "$prefix"
  topo_down "$prefix"
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

# measure <label> <run>: one iperf3 test host A -> host B; sets $mbps (empty on failure).
measure() {
  local label=$1 run=$2 json=$out/$1-$2.json i
  mbps=
  ip netns exec "$TOPO_HB" iperf3 -s -1 -B "$TOPO_HB_RED" >"$out/$label-$run.server.log" 2>&1 </dev/null &
  topo_track "$prefix" iperf3-server $!
  for i in $(seq 1 50); do
    ip netns exec "$TOPO_HB" ss -Hltn "sport = :5201" | grep -q . && break
    [ "$i" != 50 ] || { echo "tunnel-throughput: iperf3 server did not start" >&2; topo_kill "$prefix" iperf3-server; return 1; }
    sleep 0.1
  done
  timeout $((iperf_time + iperf_omit + 30)) ip netns exec "$TOPO_HA" \
    iperf3 -c "$TOPO_HB_RED" -P "$streams" -t "$iperf_time" -O "$iperf_omit" -J >"$json" 2>"$out/$label-$run.client.log" || true
  topo_kill "$prefix" iperf3-server
  if ! jq -e '(has("error") | not) and .end.sum_received.bits_per_second > 0' "$json" >/dev/null 2>&1; then
    echo "tunnel-throughput: iperf3 through $label failed: $(jq -r '.error // empty' "$json" 2>/dev/null)" \
      "$(tail -n 3 "$out/$label-$run.client.log")" >&2
    return 1
  fi
  mbps=$(jq -r '.end.sum_received.bits_per_second / 1e6 * 10 | round / 10' "$json")
}

median() {
  printf '%s\n' "$@" | sort -g | awk '{ v[NR] = $1 }
    END { if (NR % 2) printf "%.1f\n", v[(NR + 1) / 2]; else printf "%.1f\n", (v[NR / 2] + v[NR / 2 + 1]) / 2 }'
}

echo "tunnel throughput: $runs run(s) of iperf3 TCP -P $streams -t $iperf_time, host A -> host B; results in $out"
topo_up "$prefix"

sswan_mbps=()
ours_mbps=()
ours_failed=0
for run in $(seq 1 "$runs"); do
  echo "run $run/$runs: strongSwan (load $(cut -d' ' -f1-3 /proc/loadavg))"
  sswan_up "$prefix" "$ike" "$esp"
  if ! measure strongswan "$run"; then
    exit 1
  fi
  sswan_mbps+=("$mbps")
  echo "  strongSwan: $mbps Mbit/s"
  sswan_down "$prefix"
  topo_check_isolated "$prefix"

  if [ "$have_ours" = 1 ]; then
    echo "run $run/$runs: ours (load $(cut -d' ' -f1-3 /proc/loadavg))"
    ours_started=1
    if ours_up "$prefix" && topo_ping "$TOPO_HA" "$TOPO_HB_RED" && measure ours "$run"; then
      ours_mbps+=("$mbps")
      echo "  ours: $mbps Mbit/s"
    else
      ours_failed=$((ours_failed + 1))
      echo "  ours: failed" >&2
    fi
    ours_down "$prefix"
    ours_started=0
    topo_check_isolated "$prefix"
  fi
done

version=$(dpkg-query -W -f='${Version}' strongswan-charon 2>/dev/null || echo unknown)
sswan_median=$(median "${sswan_mbps[@]}")
{
  echo "iperf3 TCP -P $streams -t $iperf_time, host A -> host B, $runs run(s), $(nproc) CPUs"
  echo "strongSwan $version (kernel-libipsec, IKE $ike, ESP $esp, UDP-encapsulated):" \
    "${sswan_mbps[*]} Mbit/s, median $sswan_median Mbit/s"
  if [ "$have_ours" = 0 ]; then
    echo "ours: not available yet (benchmarks/lib/ipsecgw.sh with ours_up/ours_down is missing): not measured"
  elif [ "${#ours_mbps[@]}" = 0 ]; then
    echo "ours: failed in every run"
  else
    ours_median=$(median "${ours_mbps[@]}")
    failed_note=
    [ "$ours_failed" = 0 ] || failed_note=" ($ours_failed run(s) failed)"
    echo "ours: ${ours_mbps[*]} Mbit/s, median $ours_median Mbit/s$failed_note"
    echo "ratio ours/strongSwan: $(awk -v o="$ours_median" -v s="$sswan_median" 'BEGIN { printf "%.2f\n", o / s }')"
  fi
} | tee "$out/summary.txt"
[ "$ours_failed" = 0 ]
