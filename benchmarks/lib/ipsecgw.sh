#!/usr/bin/env bash
# shellcheck shell=bash
# Our gateway pair on the lab topology (benchmarks/lib/topology.sh): one gateway process in each
# gateway namespace, manually keyed with fresh random keys, one tunnel 10.201.1.0/24 <-> 10.201.2.0/24
# with a fallback SA and one per-lane SA per direction and lane, multiport on.
#
#   . benchmarks/lib/topology.sh; . benchmarks/lib/ipsecgw.sh
#   ours_build                     build the gateway and write its classpath (once)
#   ours_up <prefix> [lanes] [transport] [suite]
#                                  start both gateways (default: 2 lanes, epoll, AES_128_GCM_16) and
#                                  wait until host A pings host B through the tunnel; the lanes run on
#                                  CPUs 0..lanes-1 unless OURS_CPUS_GA / OURS_CPUS_GB list others
#                                  (e.g. OURS_CPUS_GA=0 OURS_CPUS_GB=1 for one lane each on its own CPU);
#                                  OURS_OFFLOAD=false turns off TUN offloads (red.offload, default on);
#                                  OURS_GSO=true|false sets black.gso (default: not written, so on
#                                  where the transport supports UDP GSO)
#   ours_status <prefix> ga|gb     print a gateway's counters (one line per lane and per SA)
#   ours_start <prefix> ga|gb      start one gateway in that side's namespace from the configuration the
#                                  caller wrote to $TOPO_STATE/ours-<side>.yml (recorded as ours-<side>)
#   ours_await_up <prefix> ga|gb [seconds]
#                                  wait (default 60 s) until it logged "gateway up"; 1 if it exited or
#                                  took too long (its log's tail on stderr)
#   ours_ike_established <prefix> ga|gb [connection]
#                                  how many IKE SAs (of that connection) its status file lists as
#                                  ESTABLISHED (the status is rewritten every second)
#   ours_child_installs <prefix> ga|gb
#                                  the epoch milliseconds of each "Child SA installed" in its log, one a line
#   ours_down <prefix>             stop both gateways (SIGTERM, by pid); their TUN devices and routes go
#                                  with them, leaving the topology as it was
# Logs and status files live in $TOPO_STATE/ours-<side>.{log,status}; configs in $TOPO_STATE/ours-<side>.yml.
# OURS_JAVA_OPTS: extra JVM options for both gateways (split on spaces), e.g.
# -Dio.netty.leakDetection.level=paranoid.
# Needs root, a JDK 25 (found by ./gw), openssl (for random keys).

OURS_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

ours_build() {
  if [ -s "$OURS_ROOT/gateway-core/target/run-classpath.txt" ] && [ "${OURS_REBUILD:-0}" != 1 ]; then
    return 0
  fi
  # Only the gateway and the modules it needs, in one reactor: the classpath points at their jars in
  # this tree, so nothing is installed into the local Maven repository.
  (cd "$OURS_ROOT" && ./gw mvn -q -pl gateway-core -am -DskipTests package dependency:build-classpath \
    -Dmdep.includeScope=runtime -Dmdep.outputFile=target/run-classpath.txt) >&2
}

_ours_java() {
  local home
  home=$(cd "$OURS_ROOT" && ./gw java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')
  echo "$home/bin/java"
}

_ours_key() { # bytes -> hex
  openssl rand -hex "$1"
}

# _ours_config <lanes> <transport> <suite> <local-black> <remote-black> <local-ts> <remote-ts>
#              <out-spi-base> <in-spi-base> <out-keys...> -- <in-keys...>
_ours_config() {
  local lanes=$1 transport=$2 suite=$3 local_black=$4 remote_black=$5 local_ts=$6 remote_ts=$7
  local out_base=$8 in_base=$9
  shift 9
  local -a out_keys=() in_keys=()
  while [ "$1" != -- ]; do out_keys+=("$1"); shift; done
  shift
  in_keys=("$@")
  local cpus k
  cpus=${OURS_CPUS:-$(seq -s, 0 $((lanes - 1)))}
  cat <<YAML
gateway:
  lanes:
    cpus: [${cpus}]
    transport: ${transport}
  black:
    address: ${local_black}
    port-key: $(_ours_key 16)
${OURS_GSO:+    gso: ${OURS_GSO}
}  red:
    tun-name: ipsecgw0
    offload: ${OURS_OFFLOAD:-true}
  tunnels:
    - name: lab
      remote-address: ${remote_black}
      local-ts: [${local_ts}]
      remote-ts: [${remote_ts}]
      multiport: true
      manual:
        suite: ${suite}
        outbound:
          - spi: $(printf '0x%x' "$out_base")
            key: ${out_keys[0]}
YAML
  for ((k = 0; k < lanes; k++)); do
    printf '          - spi: 0x%x\n            lane: %d\n            key: %s\n' \
      $((out_base + 0x100 + k)) "$k" "${out_keys[k + 1]}"
  done
  echo "        inbound:"
  printf '          - spi: 0x%x\n            key: %s\n' "$in_base" "${in_keys[0]}"
  for ((k = 0; k < lanes; k++)); do
    printf '          - spi: 0x%x\n            lane: %d\n            key: %s\n' \
      $((in_base + 0x100 + k)) "$k" "${in_keys[k + 1]}"
  done
}

ours_up() {
  local prefix=${1:?ours_up: prefix missing} lanes=${2:-2} transport=${3:-epoll} suite=${4:-AES_128_GCM_16}
  topo_vars "$prefix"
  ours_build || return 1
  local keylen=20
  [ "$suite" = AES_128_GCM_16 ] || keylen=36
  # SPIs: A->B fallback 0x1000 and per-lane 0x1100+k; B->A fallback 0x2000 and 0x2100+k. With
  # N lanes a power of two up to 256, SPI 0x1100+k lands on lane k (SPI mod N == k).
  local -a ab=() ba=()
  local k
  for ((k = 0; k <= lanes; k++)); do ab+=("$(_ours_key $keylen)"); ba+=("$(_ours_key $keylen)"); done
  OURS_CPUS=${OURS_CPUS_GA:-} _ours_config "$lanes" "$transport" "$suite" "$TOPO_GA_BLACK" "$TOPO_GB_BLACK" \
    "$TOPO_RED_A_NET" "$TOPO_RED_B_NET" 0x1000 0x2000 "${ab[@]}" -- "${ba[@]}" >"$TOPO_STATE/ours-ga.yml"
  OURS_CPUS=${OURS_CPUS_GB:-} _ours_config "$lanes" "$transport" "$suite" "$TOPO_GB_BLACK" "$TOPO_GA_BLACK" \
    "$TOPO_RED_B_NET" "$TOPO_RED_A_NET" 0x2000 0x1000 "${ba[@]}" -- "${ab[@]}" >"$TOPO_STATE/ours-gb.yml"
  local side ns java
  java=$(_ours_java)
  for side in ga gb; do
    ns=$TOPO_GA
    [ "$side" = gb ] && ns=$TOPO_GB
    # shellcheck disable=SC2086 # OURS_JAVA_OPTS holds several words on purpose
    ip netns exec "$ns" "$java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC ${OURS_JAVA_OPTS:-} \
      -cp "$OURS_ROOT/gateway-core/target/classes:$(cat "$OURS_ROOT/gateway-core/target/run-classpath.txt")" \
      net.ipsecgw.core.GatewayMain "$TOPO_STATE/ours-$side.yml" --status "$TOPO_STATE/ours-$side.status" \
      >"$TOPO_STATE/ours-$side.log" 2>&1 &
    topo_track "$prefix" "ours-$side" $!
  done
  local i
  for ((i = 0; i < 150; i++)); do
    if grep -q "gateway up" "$TOPO_STATE/ours-ga.log" 2>/dev/null \
      && grep -q "gateway up" "$TOPO_STATE/ours-gb.log" 2>/dev/null; then
      if topo_ping "$TOPO_HA" "$TOPO_HB_RED"; then
        return 0
      fi
      break
    fi
    if ! topo_tracked_pid "$prefix" ours-ga >/dev/null || ! topo_tracked_pid "$prefix" ours-gb >/dev/null; then
      break
    fi
    sleep 0.2
  done
  echo "ours_up: the gateway pair did not come up; last lines of their logs:" >&2
  tail -n 20 "$TOPO_STATE/ours-ga.log" "$TOPO_STATE/ours-gb.log" >&2
  ours_down "$prefix"
  return 1
}

ours_status() {
  local prefix=${1:?ours_status: prefix missing} side=${2:?ours_status: ga or gb}
  topo_vars "$prefix"
  cat "$TOPO_STATE/ours-$side.status"
}

ours_down() {
  local prefix=${1:?ours_down: prefix missing}
  topo_vars "$prefix"
  topo_kill "$prefix" ours-ga || true
  topo_kill "$prefix" ours-gb || true
}

ours_start() {
  local prefix=${1:?ours_start: prefix missing} side=${2:?ours_start: ga or gb} ns java
  topo_vars "$prefix"
  case $side in
    ga) ns=$TOPO_GA ;;
    gb) ns=$TOPO_GB ;;
    *) echo "ours_start: side must be ga or gb, not $side" >&2; return 2 ;;
  esac
  ours_build || return 1
  java=${OURS_JAVA:-$(_ours_java)}
  rm -f "$TOPO_STATE/ours-$side.status"
  # shellcheck disable=SC2086 # OURS_JAVA_OPTS holds several words on purpose
  ip netns exec "$ns" "$java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC ${OURS_JAVA_OPTS:-} \
    -cp "$OURS_ROOT/gateway-core/target/classes:$(cat "$OURS_ROOT/gateway-core/target/run-classpath.txt")" \
    net.ipsecgw.core.GatewayMain "$TOPO_STATE/ours-$side.yml" --status "$TOPO_STATE/ours-$side.status" \
    >"$TOPO_STATE/ours-$side.log" 2>&1 &
  topo_track "$prefix" "ours-$side" $!
}

ours_await_up() {
  local prefix=${1:?ours_await_up: prefix missing} side=${2:?ours_await_up: ga or gb} seconds=${3:-60} i
  topo_vars "$prefix"
  for ((i = 0; i < seconds * 50; i++)); do
    grep -q "gateway up" "$TOPO_STATE/ours-$side.log" 2>/dev/null && return 0
    topo_tracked_pid "$prefix" "ours-$side" >/dev/null || break
    sleep 0.02
  done
  echo "ours_await_up: ours-$side is not up; last lines of its log:" >&2
  tail -n 20 "$TOPO_STATE/ours-$side.log" >&2
  return 1
}

ours_ike_established() {
  local prefix=${1:?ours_ike_established: prefix missing} side=${2:?ours_ike_established: ga or gb}
  local connection=${3:-[^ ]*}
  topo_vars "$prefix"
  # ike=<connection> state=<STATE> ... (net.ipsecgw.core.GatewayStatus)
  grep -c "^ike=$connection state=ESTABLISHED " "$TOPO_STATE/ours-$side.status" 2>/dev/null || true
}

ours_child_installs() {
  local prefix=${1:?ours_child_installs: prefix missing} side=${2:?ours_child_installs: ga or gb} ts
  topo_vars "$prefix"
  # <ISO instant> ike <connection>[...]: Child SA installed: ChildSa[...]
  sed -n 's/^\([0-9T:.-]*Z\) ike .*: Child SA installed: .*/\1/p' "$TOPO_STATE/ours-$side.log" 2>/dev/null \
    | while read -r ts; do date -d "$ts" +%s%3N; done
}
