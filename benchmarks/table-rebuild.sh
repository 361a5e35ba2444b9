#!/usr/bin/env bash
# What one IKE Child SA install or removal costs the data plane's table rebuild with 100, 500 and
# 1000 pairs installed (LaneDataPlaneBenchmark: control-loop and lane CPU per change, latency until
# every lane has its tables, and a burst of installs in one control-loop task).
#
#   benchmarks/table-rebuild.sh [LANES [PAIRS...]]    default: 4 lanes; 100 500 1000 pairs
set -euo pipefail
cd "$(dirname "$0")/.."
./gw mvn -q -pl gateway-core -am -DskipTests install
./gw mvn -q -pl gateway-core dependency:build-classpath -Dmdep.includeScope=test \
  -Dmdep.outputFile=target/bench-classpath.txt
cp="gateway-core/target/test-classes:gateway-core/target/classes:$(cat gateway-core/target/bench-classpath.txt)"
./gw java -cp "$cp" net.ipsecgw.core.control.LaneDataPlaneBenchmark "$@"
