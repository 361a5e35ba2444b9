#!/usr/bin/env bash
# Packet rate of a single lane in each direction, as a ratio to OpenSSL's per-packet AEAD rate
# measured in the same run. Each gateway runs one lane, on its own CPU (gateway A on CPU 0, gateway B
# on CPU 1); host A sends UDP as fast as iperf3 can (`-u -b 0`, 1400-byte inner IP packets) to host B
# for T seconds, after a 5-second warm-up that is not counted. Gateway A's lane encrypts (outbound rate), gateway B's lane decrypts (inbound rate);
# the rates come from the lanes' own counters. On this 2-CPU machine the iperf3 ends share the CPUs
# with the lanes, so the figures are lower bounds of what a lane can do. Beside the rate, each lane's
# thread CPU time over the measured seconds (from /proc) gives its packets per CPU-second: what the lane
# would carry on a CPU of its own, in the same unit as openssl's figure (work the kernel charges to the
# lane's thread, such as the receive path of the next namespace, is counted against the lane).
#
# LANE_RATE_TRAFFIC selects the sender and the receiver on the hosts:
#   gso (default)    benchmarks/lib/udp_gso.py: the sender hands the kernel runs of 44 datagrams with
#                    UDP_SEGMENT, the sink reads them coalesced with UDP_GRO (the gateways' TUN devices,
#                    with their default offloads, take and give such runs whole; OURS_OFFLOAD=false
#                    turns that off); LANE_RATE_PPS paces the sender (default 0: as fast as it can)
#   iperf            iperf3 -u -b 0 -l 1372: one datagram per system call at each end
#
#   benchmarks/lane-packet-rate.sh [RUNS=3] [SECONDS=5]
set -euo pipefail
cd "$(dirname "$0")/.."
. benchmarks/lib/topology.sh
. benchmarks/lib/ipsecgw.sh
runs=${1:-3}
seconds=${2:-5}
out=benchmarks/results/lane-rate-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"
prefix=lr$$
cleanup() { ours_down "$prefix" >/dev/null 2>&1 || true; topo_down "$prefix" >/dev/null 2>&1 || true; }
trap cleanup EXIT INT TERM

traffic=${LANE_RATE_TRAFFIC:-gso}
case $traffic in iperf | gso) ;; *) echo "LANE_RATE_TRAFFIC must be iperf or gso, not $traffic" >&2; exit 2 ;; esac

counter() { # side key -> value of key on lane 0
  sed -n "s/^lane=0 .*\b$2=\([0-9]*\).*/\1/p" "$TOPO_STATE/ours-$1.status"
}
openssl_pps() {
  openssl speed -seconds 3 -aead -bytes 1400 -evp aes-128-gcm 2>/dev/null \
    | awk '/^[A-Za-z0-9-]+ +[0-9.]+k$/ { sub("k", "", $NF); printf "%.0f\n", $NF * 1000 / 1400 }'
}

lane_ticks() { # side -> CPU clock ticks (user + system) used so far by the gateway's lane-0 thread
  local pid task
  pid=$(topo_tracked_pid "$prefix" "ours-$1")
  for task in /proc/"$pid"/task/*; do
    if [ "$(cat "$task/comm")" = lane-0 ]; then
      awk '{ print $14 + $15 }' "$task/stat"
      return
    fi
  done
  echo 0
}
send_traffic() { # seconds [json-output]
  if [ "$traffic" = iperf ]; then
    ip netns exec "$TOPO_HB" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
    topo_track "$prefix" iperf3-server $!
    sleep 1
    ip netns exec "$TOPO_HA" iperf3 -c "$TOPO_HB_RED" -u -b 0 -l 1372 -t "$1" ${2:+-J} >"${2:-/dev/null}"
  else
    ip netns exec "$TOPO_HB" python3 benchmarks/lib/udp_gso.py sink 5201 --seconds "$(($1 + 3))" >"${2:-$out/warm-up}.sink" &
    topo_track "$prefix" udp-sink $!
    sleep 1
    ip netns exec "$TOPO_HA" python3 benchmarks/lib/udp_gso.py send "$TOPO_HB_RED" 5201 --seconds "$1" \
      --pps "${LANE_RATE_PPS:-0}" >"${2:-/dev/null}"
    wait "$(topo_tracked_pid "$prefix" udp-sink)" 2>/dev/null || true
  fi
}

ours_build
for run in $(seq 1 "$runs"); do
  topo_up "$prefix" >/dev/null
  OURS_CPUS_GA=0 OURS_CPUS_GB=1 ours_up "$prefix" 1
  # Warm-up: the JIT compiles the lanes' code during the first seconds; that run is not counted.
  send_traffic 5
  sleep 1.5
  a_out=$(counter ga esp-out); b_in=$(counter gb esp-in)
  a_ticks=$(lane_ticks ga); b_ticks=$(lane_ticks gb)
  # 1400-byte inner packets: 1372 bytes of UDP payload + 8 UDP + 20 IPv4.
  send_traffic "$seconds" "$out/traffic-$run.out"
  sleep 1.5
  a_out=$(($(counter ga esp-out) - a_out)); b_in=$(($(counter gb esp-in) - b_in))
  a_ticks=$(($(lane_ticks ga) - a_ticks)); b_ticks=$(($(lane_ticks gb) - b_ticks))
  cp "$TOPO_STATE/ours-ga.status" "$out/ga-$run.status"; cp "$TOPO_STATE/ours-gb.status" "$out/gb-$run.status"
  ours_down "$prefix" >/dev/null; topo_down "$prefix" >/dev/null
  ssl=$(openssl_pps)
  hz=$(getconf CLK_TCK)
  echo "$run $((a_out / seconds)) $((b_in / seconds)) $ssl $((a_out * hz / (a_ticks > 0 ? a_ticks : 1))) $((b_in * hz / (b_ticks > 0 ? b_ticks : 1)))" \
    | tee -a "$out/rates.txt"
done

python3 - "$out/rates.txt" "$traffic, TUN offload ${OURS_OFFLOAD:-true}, UDP GSO ${OURS_GSO:-default}" <<'PY'
import statistics, sys
rows = [list(map(int, line.split())) for line in open(sys.argv[1])]
med = lambda i: statistics.median(r[i] for r in rows)
ratio = lambda i: statistics.median(r[i] / r[3] for r in rows)
print(f"median of {len(rows)} runs; one lane per gateway, 1400-byte inner packets, AES-128-GCM-16, traffic {sys.argv[2]}")
print(f"openssl speed -aead aes-128-gcm: {med(3):>10,.0f} packets/s")
print(f"outbound lane (encrypt):          {med(1):>10,.0f} packets/s  ratio {ratio(1):.2f}")
print(f"inbound lane (decrypt):           {med(2):>10,.0f} packets/s  ratio {ratio(2):.2f}")
print("per CPU-second of the lane's thread:")
print(f"outbound lane (encrypt):          {med(4):>10,.0f} packets/s  ratio {ratio(4):.2f}")
print(f"inbound lane (decrypt):           {med(5):>10,.0f} packets/s  ratio {ratio(5):.2f}")
PY
