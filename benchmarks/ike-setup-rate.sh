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
#   2. rate: all N initiated at once; the time from `--load-conns` until the initiator counts N
#      established IKE SAs (polled every 20 ms with `swanctl --stats` on the initiator, the same
#      count for every responder; our gateway's status file is only rewritten once a second); N / time.
#      Then the responder's own count is checked (strongSwan: `swanctl --stats`; ours: the `ike=`
#      lines of its status file with state=ESTABLISHED).
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
#   ours         our gateway on gateway B (one lane on CPU 1, the IKE control plane on its control loop),
#                one connection with remote-id %any, per-CPU SAs off, the same limits raised. On by
#                default; IKE_RATE_OURS=0 skips it.
# Before each responder's latency samples and rate, one unmeasured warm-up burst of N tunnels with other
# identities runs against it (a JVM compiles its hot code during its first bursts), then the load
# initiator restarts; the responder keeps those N idle IKE SAs. IKE_RATE_WARMUP=0 skips the warm-up.
# Then, unless IKE_RATE_OURS=0:
#   ours pair    two of our gateways (IKE_RATE_PAIR_LANES lanes each, default 2, epoll, PSK, per-CPU
#                SAs and multiport on): gateway B is started and up, then gateway A (start action
#                initiate) is launched; the time from that launch until both logs show every Child SA
#                pair installed (fallback + one per lane), from the logs' own timestamps, and the part
#                of it after gateway A logged "gateway up" (the rest is the JVM's start-up).
#                IKE_RATE_PAIR_SAMPLES times (default 5), both gateways restarted each time; medians.
# Results (summary, configurations, logs): benchmarks/results/ike-setup-<time>/.
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
ours_enabled=${IKE_RATE_OURS:-1}
pair_samples=${IKE_RATE_PAIR_SAMPLES:-5}
pair_lanes=${IKE_RATE_PAIR_LANES:-2}

# shellcheck source=SCRIPTDIR/lib/topology.sh
. benchmarks/lib/topology.sh
# shellcheck source=SCRIPTDIR/lib/strongswan.sh
. benchmarks/lib/strongswan.sh
# shellcheck source=SCRIPTDIR/lib/ipsecgw.sh
. benchmarks/lib/ipsecgw.sh
sswan_install
if [ "$ours_enabled" = 1 ]; then
  ours_build
fi

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
  {
    echo "connections {"
    for ((k = 0; k < tunnels; k++)); do
      _initiator_conn "w$k" "w$k.load.test" "$TOPO_RED_A_NET" start
    done
    echo "}"
    _initiator_secrets
  } >"$dir/swanctl/warmup.conf"
}

# _await_initiator <count> <label>: wait (at most 120 s) until the load initiator has <count> IKE SAs.
_await_initiator() {
  local deadline established
  deadline=$(($(_now_ms) + 120000))
  while :; do
    established=$(_initiator_established)
    [ "$established" -ge "$1" ] && return 0
    if [ "$(_now_ms)" -gt "$deadline" ]; then
      echo "$2: only $established of $1 IKE SAs established within 120 s" >&2
      return 1
    fi
    sleep 0.02
  done
}

# _warm_up <label>: one unmeasured burst of N tunnels with other identities (w<k>), then a fresh load
# initiator. A gateway's JVM compiles its hot code during its first bursts; strongSwan's C code needs no
# such start. The responder keeps the warm-up's N idle IKE SAs through the measured burst (both
# responders alike). IKE_RATE_WARMUP=0 measures a cold responder.
_warm_up() {
  [ "${IKE_RATE_WARMUP:-1}" = 1 ] || return 0
  local dir
  dir=$(sswan_instance_dir "$prefix" load-initiator)
  _initiator --load-creds --noprompt --file "$dir/swanctl/warmup.conf" >/dev/null
  _initiator --load-conns --file "$dir/swanctl/warmup.conf" >/dev/null
  _await_initiator "$tunnels" "$1 warm-up" || true
  sswan_instance_stop "$prefix" load-initiator
  _initiator_start
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

# How many IKE SAs the load initiator has established (all its IKE SAs but the half-open ones).
_initiator_established() {
  _initiator --stats 2>/dev/null | awk '/IKE_SAs:/ { total = $2; half = $4 } END { print (total - half) + 0 }'
}

# _measure <label> <count-command...>: prints "<label> <median> <p90> <setups/s>" and detail lines.
# The count command prints how many IKE SAs the responder has established.
_measure() {
  local label=$1 i t0 t1 dir established=0 deadline responder=0
  shift
  _warm_up "$label"
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
    established=$(_initiator_established)
    [ "$established" -ge "$tunnels" ] && break
    if [ "$(_now_ms)" -gt "$deadline" ]; then
      echo "$label: only $established of $tunnels IKE SAs established within 120 s" >&2
      break
    fi
    sleep 0.02
  done
  t1=$(_now_ms)
  # The responder must agree (ours rewrites its status once a second: give it a few).
  for ((i = 0; i < 50; i++)); do
    responder=$("$@")
    [ "$responder" -ge "$established" ] && break
    sleep 0.2
  done
  local median p90 vici rate
  median=$(_percentile 50 <"$results/$label-latency-ms.txt")
  p90=$(_percentile 90 <"$results/$label-latency-ms.txt")
  vici=$(_percentile 50 <"$results/$label-vici-ms.txt")
  rate=$(awk -v n="$established" -v ms="$((t1 - t0))" 'BEGIN { printf "%.1f", n * 1000 / (ms > 0 ? ms : 1) }')
  printf '%-10s  tunnel up: median %s ms, p90 %s ms (a no-op swanctl call: %s ms) | %d/%d IKE SAs in %d ms: %s IKE SAs/s (responder reports %d)\n' \
    "$label" "$median" "$p90" "$vici" "$established" "$tunnels" "$((t1 - t0))" "$rate" "$responder" | tee -a "$results/summary.txt"
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

# ---- ours as the responder ----
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

# How many IKE SAs of connection "load" our gateway lists as established in its status file.
_ours_established() {
  ours_ike_established "$prefix" gb load
}

run_ours() {
  _ours_yaml >"$TOPO_STATE/ours-gb.yml"
  ours_start "$prefix" gb
  ours_await_up "$prefix" gb 60
  _initiator_start
  _measure ours _ours_established
  sswan_instance_stop "$prefix" load-initiator
  topo_kill "$prefix" ours-gb
  cp -f "$TOPO_STATE/ours-gb.log" "$results/ours-responder.log"
}

# ---- two of ours: from launch to every per-CPU Child SA ----
# _ours_pair_yaml <local-black> <remote-black> <local-ts> <remote-ts> <start-action>
_ours_pair_yaml() {
  cat <<EOF
gateway:
  lanes:
    cpus: [$(seq -s, 0 $((pair_lanes - 1)))]
  black:
    address: $1
    port-key: "$(od -An -tx1 -N16 /dev/urandom | tr -d ' \n')"
  red:
    tun-name: ipsecgw0
  connections:
    - name: pair
      remote-address: "$2"
      local-id: "$1"
      remote-id: "$2"
      auth: psk
      psk: "$psk"
      ike-proposals: [$IKE_PROPOSAL]
      esp-proposals: [$ESP_PROPOSAL]
      local-ts: [$3]
      remote-ts: [$4]
      start-action: $5
EOF
}

run_ours_pair() {
  local i t0 tup last deadline total after
  local want=$((1 + pair_lanes))
  : >"$results/pair-total-ms.txt"
  : >"$results/pair-after-up-ms.txt"
  for ((i = 0; i < pair_samples; i++)); do
    _ours_pair_yaml "$TOPO_GA_BLACK" "$TOPO_GB_BLACK" "$TOPO_RED_A_NET" "$TOPO_RED_B_NET" initiate >"$TOPO_STATE/ours-ga.yml"
    _ours_pair_yaml "$TOPO_GB_BLACK" "$TOPO_GA_BLACK" "$TOPO_RED_B_NET" "$TOPO_RED_A_NET" none >"$TOPO_STATE/ours-gb.yml"
    ours_start "$prefix" gb
    ours_await_up "$prefix" gb 60
    t0=$(_now_ms)
    ours_start "$prefix" ga
    ours_await_up "$prefix" ga 60
    tup=$(_now_ms)
    deadline=$((t0 + 60000))
    while [ "$(ours_child_installs "$prefix" ga | wc -l)" -lt "$want" ] \
      || [ "$(ours_child_installs "$prefix" gb | wc -l)" -lt "$want" ]; do
      if [ "$(_now_ms)" -gt "$deadline" ]; then
        echo "ours pair: not all $want Child SA pairs installed within 60 s (sample $i)" >&2
        tail -n 20 "$TOPO_STATE/ours-ga.log" "$TOPO_STATE/ours-gb.log" >&2
        return 1
      fi
      sleep 0.05
    done
    last=$({ ours_child_installs "$prefix" ga; ours_child_installs "$prefix" gb; } | sort -n | tail -1)
    total=$((last - t0))
    after=$((last - tup))
    echo "$total" >>"$results/pair-total-ms.txt"
    echo "$after" >>"$results/pair-after-up-ms.txt"
    echo "ours pair sample $((i + 1)): all $want Child SA pairs $total ms after gateway A's launch, $after ms after it was up (IKE SA established in $(sed -n 's/.*IKE SA established with .* in \([0-9]*\) ms.*/\1/p' "$TOPO_STATE/ours-ga.log") ms)" \
      | tee -a "$results/pair-samples.txt"
    topo_kill "$prefix" ours-ga
    topo_kill "$prefix" ours-gb
    cp -f "$TOPO_STATE/ours-ga.log" "$results/ours-pair-ga-$i.log"
    cp -f "$TOPO_STATE/ours-gb.log" "$results/ours-pair-gb-$i.log"
  done
  printf "ours pair   %d lanes each, fallback + %d per-CPU Child SAs on both sides: median %s ms from gateway A's launch (min %s, max %s), of which %s ms after it was up (%d samples)\n" \
    "$pair_lanes" "$pair_lanes" "$(_percentile 50 <"$results/pair-total-ms.txt")" \
    "$(sort -n "$results/pair-total-ms.txt" | head -1)" "$(sort -n "$results/pair-total-ms.txt" | tail -1)" \
    "$(_percentile 50 <"$results/pair-after-up-ms.txt")" "$pair_samples" | tee -a "$results/summary.txt"
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
  run_ours_pair
else
  echo "ours: skipped (IKE_RATE_OURS=0)" | tee -a "$results/summary.txt"
fi
echo "results: $results"
