#!/usr/bin/env bash
# IKE setup rate on the lab topology (benchmarks/lib/topology.sh): how many IKE SAs (each with its
# CHILD_SA) a responder on gateway B establishes per second, and the median time to bring up one
# tunnel, PSK + aes128gcm16-prfsha256-x25519, ESP aes128gcm16, UDP-encapsulated (4500).
#
# The load initiator is the same for every responder: a strongSwan charon on gateway A
# (kernel-libipsec) with N connection configurations, each a distinct identity (c<k>.load.test; the
# responder keeps one IKE SA per identity), all protecting 10.201.1.0/24 <-> 10.201.2.0/24 (kernel-
# libipsec routes each CHILD_SA from a local address inside its selector, so the selectors stay on the
# red subnets) and all with start_action = start, so that one
# `swanctl --load-conns` makes charon initiate all N at once with its worker threads. (strongSwan's
# load-tester plugin would be the natural initiator, but Debian's 5.9.8 packages do not build it:
# no libstrongswan-load-tester.so in libcharon-extra-plugins or any other package.)
#
#   1. latency: M times, `swanctl --initiate` of one tunnel (IKE_SA_INIT + IKE_AUTH, CHILD_SA
#      installed on both sides) on an idle responder, then `--terminate`; median and p90 of the
#      initiate call's wall time. The same measure of a no-op vici call (`swanctl --stats`) is printed
#      beside it: that much of each figure is swanctl's own start-up, not the exchange.
#   2. rate: all N initiated at once; the time from `--load-conns` until the responder counts N
#      established IKE SAs (polled every 20 ms with `swanctl --stats`); N / time.
#
# Both run on this machine's 2 cores: the initiator does as much public-key work as the responder,
# so the rate is a lower bound of what the responder alone could sustain, comparable between
# responders measured in the same run and on the same machine only.
#
#   benchmarks/ike-setup-rate.sh [N] [M]      default N=500 tunnels, M=30 latency samples; needs root
#
# Responders, measured in this order:
#   strongswan   charon on gateway B (default 16 worker threads, half-open limits raised so that one
#                initiator address may have N half-open IKE SAs; no cookies)
#   ours         our gateway on gateway B with one control loop, same limits. THE SWITCH: set
#                IKE_RATE_OURS=1 once the IKE control plane has landed. Until then the script prints
#                "ours: not available yet" and measures nothing for it.
# Results (summary, configurations, charon logs): benchmarks/results/ike-setup-<time>/.
# Everything it creates (namespaces, processes) is removed on exit, also on failure or Ctrl-C.
set -euo pipefail
cd "$(dirname "$0")/.."
root=$(pwd)

tunnels=${1:-500}
samples=${2:-30}
if ! [[ $tunnels =~ ^[1-9][0-9]*$ && $samples =~ ^[1-9][0-9]*$ ]] || [ "$tunnels" -gt 30000 ]; then
  echo "usage: $0 [TUNNELS (1-30000)] [LATENCY-SAMPLES]" >&2
  exit 2
fi
if [ "$(id -u)" != 0 ]; then
  echo "ike-setup-rate: needs root (network namespaces)" >&2
  exit 1
fi
ours_enabled=${IKE_RATE_OURS:-0}

# shellcheck source=SCRIPTDIR/lib/topology.sh
. benchmarks/lib/topology.sh
# shellcheck source=SCRIPTDIR/lib/strongswan.sh
. benchmarks/lib/strongswan.sh
sswan_install

IKE_PROPOSAL=aes128gcm16-prfsha256-x25519
ESP_PROPOSAL=aes128gcm16
prefix=ir$$
results=$root/benchmarks/results/ike-setup-$(date +%Y%m%d-%H%M%S)
mkdir -p "$results"
psk=0x$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n')

cleanup() {
  local rc=$?
  trap - EXIT INT TERM
  if topo_is_up "$prefix" 2>/dev/null; then
    topo_vars "$prefix"
    # Stop everything first, so that the logs are complete when they are copied.
    for d in "$TOPO_STATE"/pids/*; do
      [ -e "$d" ] && topo_kill "$prefix" "$(basename "$d")"
    done
    for d in "$TOPO_STATE"/sswan-*; do
      [ -d "$d" ] || continue
      cp -f "$d/charon.log" "$results/$(basename "$d").log" 2>/dev/null || true
    done
    cp -f "$TOPO_STATE"/ours-*.log "$results/" 2>/dev/null || true
  fi
  topo_down "$prefix" >/dev/null 2>&1 || true
  exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# _strongswan_conf <dir> <log level> <extra charon settings>
_strongswan_conf() {
  cat >"$1/strongswan.conf" <<EOF
charon {
    load_modular = no
    load = random nonce pem pubkey openssl curve25519 aes sha1 sha2 hmac gcm kdf kernel-libipsec kernel-netlink socket-default vici
    $3
    plugins {
        vici {
            socket = unix://$1/charon.vici
        }
        socket-default {
            use_ipv6 = no
        }
    }
    filelog {
        bench {
            path = $1/charon.log
            time_format = %H:%M:%S
            flush_line = yes
            default = $2
        }
    }
    syslog {
        daemon {
            default = -1
        }
    }
}
EOF
}

_swanctl_dirs() {
  mkdir -p "$1/swanctl" && (cd "$1/swanctl" && mkdir -p x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12)
}

# The responder's one connection: any initiator identity, the red subnets.
_responder_conf() {
  cat <<EOF
connections {
    load {
        version = 2
        local_addrs = $TOPO_GB_BLACK
        proposals = $IKE_PROPOSAL
        encap = yes
        mobike = no
        rekey_time = 0
        unique = never
        local {
            auth = psk
            id = $TOPO_GB_BLACK
        }
        remote {
            auth = psk
        }
        children {
            load {
                local_ts = $TOPO_RED_B_NET
                remote_ts = $TOPO_RED_A_NET
                esp_proposals = $ESP_PROPOSAL
                rekey_time = 0
            }
        }
    }
}
secrets {
    ike-any {
        secret = $psk
    }
}
EOF
}

# _initiator_conn <name> <id> <ts> <start_action>
_initiator_conn() {
  cat <<EOF
    $1 {
        version = 2
        local_addrs = $TOPO_GA_BLACK
        remote_addrs = $TOPO_GB_BLACK
        proposals = $IKE_PROPOSAL
        encap = yes
        mobike = no
        rekey_time = 0
        local {
            auth = psk
            id = $2
        }
        remote {
            auth = psk
            id = $TOPO_GB_BLACK
        }
        children {
            $1 {
                local_ts = $3
                remote_ts = $TOPO_RED_B_NET
                esp_proposals = $ESP_PROPOSAL
                rekey_time = 0
                start_action = $4
            }
        }
    }
EOF
}

_initiator_secrets() {
  printf 'secrets {\n    ike-load {\n        id-1 = %s\n        secret = %s\n    }\n}\n' "$TOPO_GB_BLACK" "$psk"
}

# The latency connection (started on demand) and, in a second file, the N load connections.
_initiator_files() {
  local dir=$1 k
  { echo "connections {"; _initiator_conn lat lat.load.test "$TOPO_RED_A_NET" none; echo "}"; _initiator_secrets; } \
    >"$dir/swanctl/latency.conf"
  {
    echo "connections {"
    for ((k = 0; k < tunnels; k++)); do
      _initiator_conn "c$k" "c$k.load.test" "$TOPO_RED_A_NET" start
    done
    echo "}"
    _initiator_secrets
  } >"$dir/swanctl/load.conf"
}

# Milliseconds since the epoch.
_now_ms() { echo $(($(date +%s%N) / 1000000)); }

# _percentile <p> < numbers: the p-th percentile (nearest rank) of the numbers, one a line.
_percentile() { sort -n | awk -v p="$1" '{ v[NR] = $1 } END { if (NR == 0) { print "n/a"; exit } i = int((p * NR + 99) / 100); if (i < 1) i = 1; print v[i] }'; }

# _initiator_start: the load initiator on gateway A.
_initiator_start() {
  local dir
  dir=$(sswan_instance_dir "$prefix" load-initiator)
  rm -rf "$dir" && mkdir -p "$dir"
  _swanctl_dirs "$dir"
  _strongswan_conf "$dir" "${IKE_RATE_LOG_LEVEL:-0}" "retransmit_timeout = 2.0"
  _initiator_files "$dir"
  sswan_instance_start "$prefix" load-initiator "$TOPO_GA"
}

_initiator() { # swanctl args...
  local dir
  dir=$(sswan_instance_dir "$prefix" load-initiator)
  SWANCTL_DIR=$dir/swanctl sswan_instance_swanctl "$prefix" load-initiator "$@"
}

# _measure <label> <count-command...>: prints "<label> <median> <p90> <setups/s>" and detail lines.
# The count command prints how many IKE SAs the responder has established.
_measure() {
  local label=$1 i t0 t1 dir established=0 deadline
  shift
  dir=$(sswan_instance_dir "$prefix" load-initiator)
  _initiator --load-creds --noprompt --file "$dir/swanctl/latency.conf" >/dev/null
  _initiator --load-conns --file "$dir/swanctl/latency.conf" >/dev/null
  : >"$results/$label-latency-ms.txt"
  : >"$results/$label-vici-ms.txt"
  for ((i = 0; i < samples; i++)); do
    t0=$(_now_ms)
    _initiator --initiate --ike lat --child lat --timeout 20 >/dev/null
    t1=$(_now_ms)
    echo $((t1 - t0)) >>"$results/$label-latency-ms.txt"
    _initiator --terminate --ike lat --timeout 20 >/dev/null
    t0=$(_now_ms)
    _initiator --stats >/dev/null
    t1=$(_now_ms)
    echo $((t1 - t0)) >>"$results/$label-vici-ms.txt"
  done
  _initiator --load-creds --noprompt --file "$dir/swanctl/load.conf" >/dev/null
  t0=$(_now_ms)
  _initiator --load-conns --file "$dir/swanctl/load.conf" >/dev/null
  deadline=$((t0 + 120000))
  while :; do
    established=$("$@")
    [ "$established" -ge "$tunnels" ] && break
    if [ "$(_now_ms)" -gt "$deadline" ]; then
      echo "$label: only $established of $tunnels IKE SAs established within 120 s" >&2
      break
    fi
    sleep 0.02
  done
  t1=$(_now_ms)
  local median p90 vici rate
  median=$(_percentile 50 <"$results/$label-latency-ms.txt")
  p90=$(_percentile 90 <"$results/$label-latency-ms.txt")
  vici=$(_percentile 50 <"$results/$label-vici-ms.txt")
  rate=$(awk -v n="$established" -v ms="$((t1 - t0))" 'BEGIN { printf "%.1f", n * 1000 / (ms > 0 ? ms : 1) }')
  printf '%-10s  tunnel up: median %s ms, p90 %s ms (a no-op swanctl call: %s ms) | %d/%d IKE SAs in %d ms: %s IKE SAs/s\n' \
    "$label" "$median" "$p90" "$vici" "$established" "$tunnels" "$((t1 - t0))" "$rate" | tee -a "$results/summary.txt"
}

_strongswan_established() {
  sswan_instance_swanctl "$prefix" responder --stats 2>/dev/null \
    | awk '/IKE_SAs:/ { total = $2; half = $4 } END { print (total - half) + 0 }'
}

run_strongswan() {
  local dir
  dir=$(sswan_instance_dir "$prefix" responder)
  rm -rf "$dir" && mkdir -p "$dir"
  _swanctl_dirs "$dir"
  # One initiator address: let it have every half-open IKE SA (strongSwan's default is 5 per address).
  _strongswan_conf "$dir" "${IKE_RATE_LOG_LEVEL:-0}" "block_threshold = 1000000
    cookie_threshold = 1000000
    init_limit_half_open = 0"
  _responder_conf >"$dir/swanctl/swanctl.conf"
  sswan_instance_start "$prefix" responder "$TOPO_GB"
  SWANCTL_DIR=$dir/swanctl sswan_instance_swanctl "$prefix" responder --load-all --noprompt >/dev/null
  _initiator_start
  echo "strongswan responder: $(sswan_instance_swanctl "$prefix" responder --stats | awk '/worker threads:/ { print $3 }') worker threads" \
    | tee -a "$results/summary.txt"
  _measure strongswan _strongswan_established
  sswan_instance_stop "$prefix" load-initiator
  sswan_instance_stop "$prefix" responder
}

# ---- ours: enabled by IKE_RATE_OURS=1 once the IKE control plane has landed ----
_ours_yaml() {
  cat <<EOF
gateway:
  lanes:
    cpus: [1]
  black:
    address: $TOPO_GB_BLACK
    port-key: "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
  red:
    tun-name: ipsecgw0
  ike:
    cookie-threshold: 1000000
    half-open-per-source: 1000000
    half-open-max: 10000000
  connections:
    - name: load
      remote-address: "%any"
      remote-id: "%any"
      local-id: "$TOPO_GB_BLACK"
      auth: psk
      psk: "$psk"
      ike-proposals: [$IKE_PROPOSAL]
      esp-proposals: [$ESP_PROPOSAL]
      local-ts: [$TOPO_RED_B_NET]
      remote-ts: [$TOPO_RED_A_NET]
      ike-rekey-time: 0s
      child-rekey-time: 0s
      child-life-time: 0s
      dpd-delay: 0s
      per-cpu-sas: false
EOF
}

# How many IKE SAs our gateway has established, from its status file. ADJUST when the control plane's
# status lines are known: this counts lines starting with "ike=" and state=ESTABLISHED.
_ours_established() {
  grep -c '^ike=.*state=ESTABLISHED' "$TOPO_STATE/ours-gb.status" 2>/dev/null || echo 0
}

run_ours() {
  # shellcheck source=SCRIPTDIR/lib/ipsecgw.sh
  . benchmarks/lib/ipsecgw.sh
  ours_build
  _ours_yaml >"$TOPO_STATE/ours-gb.yml"
  local java i
  java=$(./gw java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')/bin/java
  ip netns exec "$TOPO_GB" "$java" --enable-native-access=ALL-UNNAMED -XX:+UseParallelGC \
    -cp "$root/gateway-core/target/classes:$(cat "$root/gateway-core/target/run-classpath.txt")" \
    net.ipsecgw.core.GatewayMain "$TOPO_STATE/ours-gb.yml" --status "$TOPO_STATE/ours-gb.status" \
    >"$TOPO_STATE/ours-gb.log" 2>&1 &
  topo_track "$prefix" ours-gb $!
  for ((i = 0; i < 300; i++)); do
    grep -q "gateway up" "$TOPO_STATE/ours-gb.log" 2>/dev/null && break
    topo_tracked_pid "$prefix" ours-gb >/dev/null || { tail -20 "$TOPO_STATE/ours-gb.log" >&2; return 1; }
    sleep 0.2
  done
  _initiator_start
  _measure ours _ours_established
  sswan_instance_stop "$prefix" load-initiator
  topo_kill "$prefix" ours-gb
}

topo_up "$prefix"
topo_vars "$prefix"
{
  echo "ike-setup-rate: $tunnels tunnels, $samples latency samples, $IKE_PROPOSAL / $ESP_PROPOSAL, PSK, encap"
  echo "load initiator: strongSwan $(dpkg-query -W -f '${Version}' strongswan-charon 2>/dev/null) charon on gateway A (no load-tester plugin in Debian's packages)"
  echo "machine: $(nproc) cores, $(uname -r)"
} | tee "$results/summary.txt"
run_strongswan
if [ "$ours_enabled" = 1 ]; then
  run_ours
else
  echo "ours: not available yet (the IKE control plane has not landed; run with IKE_RATE_OURS=1 once it has)" \
    | tee -a "$results/summary.txt"
fi
echo "results: $results"
