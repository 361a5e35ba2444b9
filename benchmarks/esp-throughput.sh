#!/usr/bin/env bash
# ESP engine throughput on one core, as a ratio to OpenSSL's per-packet AEAD rate measured in the
# same run. Each run measures openssl first, then the JMH benchmark, so that both see the same
# machine load; the summary gives the median over the runs.
#
#   benchmarks/esp-throughput.sh [RUNS]     default 5 runs: 1400-byte packets, AES-128-GCM and ChaCha20-Poly1305
#   benchmarks/esp-throughput.sh --matrix   one run of every suite, size (64/512/1400) and layout, with -prof gc
set -euo pipefail
cd "$(dirname "$0")/.."
out=benchmarks/results/esp-$(date +%Y%m%d-%H%M%S)
mkdir -p "$out"

./gw mvn -q -pl esp -am -DskipTests install
./gw mvn -q -pl esp dependency:build-classpath -Dmdep.includeScope=test -Dmdep.outputFile=target/bench-classpath.txt
cp="esp/target/test-classes:esp/target/classes:$(cat esp/target/bench-classpath.txt)"
jmh() { ./gw java -cp "$cp" org.openjdk.jmh.Main "$@"; }

if [ "${1:-}" = "--matrix" ]; then
  jmh EspBenchmark -prof gc -rf json -rff "$out/matrix.json" | tee "$out/matrix.txt"
  exit 0
fi

runs=${1:-5}
openssl_pps() { # cipher -> packets/s of 1400-byte AEAD operations
  openssl speed -seconds 3 -aead -bytes 1400 -evp "$1" 2>/dev/null \
    | awk '/^[A-Za-z0-9-]+ +[0-9.]+k$/ { sub("k", "", $NF); printf "%.0f\n", $NF * 1000 / 1400 }'
}
for run in $(seq 1 "$runs"); do
  echo "run $run/$runs"
  openssl_pps aes-128-gcm >"$out/openssl-aes-128-gcm-$run.txt"
  openssl_pps chacha20-poly1305 >"$out/openssl-chacha20-poly1305-$run.txt"
  # The data path's layout (OpenSSL on direct buffers) and the JDK's best case (heap arrays).
  for variant in OPENSSL:direct JDK:heap; do
    jmh 'EspBenchmark\.(en|de)capsulate' -p size=1400 -p suite=AES_128_GCM_16,CHACHA20_POLY1305 \
      -p implementation="${variant%%:*}" -p layout="${variant##*:}" \
      -f 1 -wi 2 -w 2 -i 3 -r 2 -prof gc -rf json -rff "$out/jmh-$run-${variant%%:*}.json" >>"$out/jmh-$run.txt"
  done
done

python3 - "$out" "$runs" <<'PY'
import json, statistics, sys
out, runs = sys.argv[1], int(sys.argv[2])
ssl = {c: [float(open(f"{out}/openssl-{c}-{r}.txt").read()) for r in range(1, runs + 1)]
       for c in ("aes-128-gcm", "chacha20-poly1305")}
ref = {"AES_128_GCM_16": "aes-128-gcm", "CHACHA20_POLY1305": "chacha20-poly1305"}
rows = {}
for r in range(1, runs + 1):
    for b in json.load(open(f"{out}/jmh-{r}-OPENSSL.json")) + json.load(open(f"{out}/jmh-{r}-JDK.json")):
        p = b["params"]
        key = (p["suite"], p["implementation"], p["layout"], b["benchmark"].rsplit(".", 1)[1])
        alloc = b["secondaryMetrics"].get("gc.alloc.rate.norm", {}).get("score", float("nan"))
        rows.setdefault(key, []).append((b["primaryMetric"]["score"], alloc, ssl[ref[p["suite"]]][r - 1]))
print(f"median of {runs} runs, 1400-byte inner packets, one thread")
for c, v in ssl.items():
    print(f"openssl speed -aead -evp {c:<18} {statistics.median(v):>12,.0f} packets/s")
print(f"{'suite':<18} {'aead':<8} {'layout':<7} {'operation':<12} {'packets/s':>12} {'B/op':>7} {'ratio':>6}")
for (suite, impl, layout, op), v in sorted(rows.items()):
    ratios = [s / o for s, _, o in v]
    print(f"{suite:<18} {impl:<8} {layout:<7} {op:<12} {statistics.median(s for s, _, _ in v):>12,.0f} "
          f"{statistics.median(a for _, a, _ in v):>7.0f} {statistics.median(ratios):>6.2f}")
PY
