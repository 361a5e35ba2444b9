#!/usr/bin/env bash
# Packet rate of a single lane in each direction, as a ratio to OpenSSL's per-packet AEAD rate
# measured in the same run. Each gateway runs one lane, on its own CPU (gateway A on CPU 0, gateway B
# on CPU 1); host A sends UDP as fast as iperf3 can (`-u -b 0`, 1400-byte inner IP packets) to host B
# for T seconds, after a 5-second warm-up that is not counted. Gateway A's lane encrypts (outbound rate), gateway B's lane decrypts (inbound rate);
# the rates come from the lanes' own counters. On this 2-CPU machine the iperf3 ends share the CPUs
# with the lanes, so the figures are lower bounds of what a lane can do.
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

counter() { # side key -> value of key on lane 0
  sed -n "s/^lane=0 .*\b$2=\([0-9]*\).*/\1/p" "$TOPO_STATE/ours-$1.status"
}
openssl_pps() {
  openssl speed -seconds 3 -aead -bytes 1400 -evp aes-128-gcm 2>/dev/null \
    | awk '/^[A-Za-z0-9-]+ +[0-9.]+k$/ { sub("k", "", $NF); printf "%.0f\n", $NF * 1000 / 1400 }'
}

ours_build
for run in $(seq 1 "$runs"); do
  topo_up "$prefix" >/dev/null
  OURS_CPUS_GA=0 OURS_CPUS_GB=1 ours_up "$prefix" 1
  ip netns exec "$TOPO_HB" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
  topo_track "$prefix" iperf3-server $!
  sleep 1
  # Warm-up: the JIT compiles the lanes' code during the first seconds; that run is not counted.
  ip netns exec "$TOPO_HA" iperf3 -c "$TOPO_HB_RED" -u -b 0 -l 1372 -t 5 >/dev/null
  ip netns exec "$TOPO_HB" iperf3 -s -1 -p 5201 >/dev/null 2>&1 &
  topo_track "$prefix" iperf3-server2 $!
  sleep 1.5
  a_out=$(counter ga esp-out); b_in=$(counter gb esp-in)
  # 1400-byte inner packets: 1372 bytes of UDP payload + 8 UDP + 20 IPv4.
  ip netns exec "$TOPO_HA" iperf3 -c "$TOPO_HB_RED" -u -b 0 -l 1372 -t "$seconds" -J >"$out/iperf-$run.json"
  sleep 1.5
  a_out=$(($(counter ga esp-out) - a_out)); b_in=$(($(counter gb esp-in) - b_in))
  cp "$TOPO_STATE/ours-ga.status" "$out/ga-$run.status"; cp "$TOPO_STATE/ours-gb.status" "$out/gb-$run.status"
  ours_down "$prefix" >/dev/null; topo_down "$prefix" >/dev/null
  ssl=$(openssl_pps)
  echo "$run $((a_out / seconds)) $((b_in / seconds)) $ssl" | tee -a "$out/rates.txt"
done

python3 - "$out/rates.txt" <<'PY'
import statistics, sys
rows = [list(map(int, line.split())) for line in open(sys.argv[1])]
med = lambda i: statistics.median(r[i] for r in rows)
ratio = lambda i: statistics.median(r[i] / r[3] for r in rows)
print(f"median of {len(rows)} runs; one lane per gateway, 1400-byte inner packets, AES-128-GCM-16")
print(f"openssl speed -aead aes-128-gcm: {med(3):>10,.0f} packets/s")
print(f"outbound lane (encrypt):          {med(1):>10,.0f} packets/s  ratio {ratio(1):.2f}")
print(f"inbound lane (decrypt):           {med(2):>10,.0f} packets/s  ratio {ratio(2):.2f}")
PY
