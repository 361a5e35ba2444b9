#!/usr/bin/env bash
# shellcheck shell=bash
# Lab topology for the end-to-end tests and the tunnel benchmark: four network namespaces wired with
# veth pairs, red host A - gateway A - gateway B - red host B.
#
#   <prefix>-ha  red A host   red 10.201.1.2/24, route 10.201.2.0/24 via 10.201.1.1 (no other route)
#   <prefix>-ga  gateway A    red 10.201.1.1/24, black 10.201.0.1/24, ip_forward=1
#   <prefix>-gb  gateway B    black 10.201.0.2/24, red 10.201.2.1/24, ip_forward=1
#   <prefix>-hb  red B host   red 10.201.2.2/24, route 10.201.1.0/24 via 10.201.2.1 (no other route)
#
# No namespace has a default route and the gateways have no route to the remote red subnet: only a
# tunnel (which installs that route) connects the red subnets. topo_up proves it: host A cannot ping
# host B before a tunnel is up. Device names inside the namespaces: `red` and `black`.
#
# Use it by sourcing (it defines functions and sets no shell options):
#   . benchmarks/lib/topology.sh
#   topo_up <prefix>            create the four namespaces; fails (and cleans up) if any step fails
#   topo_down <prefix>          kill the processes recorded for <prefix>, delete its namespaces and its
#                               state directory; idempotent, safe after a partial topo_up
#   topo_vars <prefix>          set and export the TOPO_* variables below (topo_up does it too)
#   topo_env <prefix>           print the TOPO_* variables as KEY=VALUE lines (also in $TOPO_STATE/topology.env)
#   topo_is_up <prefix>         true when all four namespaces exist
#   topo_check_isolated <prefix>  true when host A cannot reach host B (no tunnel forwards red to red)
#   topo_ping <from-ns> <addr>  true when <addr> answers one ping of up to 5 tries from namespace <from-ns>
#   topo_track <prefix> <name> <pid>  record a process started for <prefix> (pid and start time) so
#                               that topo_kill / topo_down can stop it by pid and only it
#   topo_tracked_pid <prefix> <name>  print the pid recorded as <name> while that process still lives
#   topo_kill <prefix> <name>   stop the process recorded as <name>: TERM, then KILL after 10 s
#   topo_nat_up <prefix>        after topo_up: put a NAT between the gateways (below); needs nft
#
# With topo_nat_up, gateway A sits behind a masquerading NAT router, <prefix>-nat:
#   <prefix>-ga   black 10.201.3.1/24 (TOPO_GA_PRIVATE), route 10.201.0.0/24 via 10.201.3.254
#   <prefix>-nat  inside 10.201.3.254/24, outside 10.201.0.1/24 (gateway A's public address, so gateway
#                 B's view is unchanged); nft masquerades what leaves by `outside`, ip_forward=1
#
# Exported by topo_vars: TOPO_PREFIX, TOPO_STATE (state directory, under $TOPO_STATE_ROOT or /tmp),
# TOPO_HA TOPO_GA TOPO_GB TOPO_HB (namespace names), TOPO_RED_A_NET=10.201.1.0/24,
# TOPO_BLACK_NET=10.201.0.0/24, TOPO_RED_B_NET=10.201.2.0/24, TOPO_HA_RED=10.201.1.2,
# TOPO_GA_RED=10.201.1.1, TOPO_GA_BLACK=10.201.0.1, TOPO_GB_BLACK=10.201.0.2, TOPO_GB_RED=10.201.2.1,
# TOPO_HB_RED=10.201.2.2, TOPO_RED_IF=red, TOPO_BLACK_IF=black, TOPO_BLACK_MTU=1500.
# Needs root, iproute2, iputils-ping.

topo_vars() {
  local prefix=${1:?topo_vars: prefix missing}
  if ! [[ $prefix =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$ ]]; then
    echo "topology: bad prefix '$prefix' (letters, digits, _ . -; at most 31 characters)" >&2
    return 1
  fi
  export TOPO_PREFIX=$prefix
  export TOPO_STATE=${TOPO_STATE_ROOT:-/tmp}/ipsecgw-topo-$prefix
  export TOPO_HA=$prefix-ha TOPO_GA=$prefix-ga TOPO_GB=$prefix-gb TOPO_HB=$prefix-hb
  export TOPO_RED_A_NET=10.201.1.0/24 TOPO_BLACK_NET=10.201.0.0/24 TOPO_RED_B_NET=10.201.2.0/24
  export TOPO_HA_RED=10.201.1.2 TOPO_GA_RED=10.201.1.1
  export TOPO_GA_BLACK=10.201.0.1 TOPO_GB_BLACK=10.201.0.2
  export TOPO_GB_RED=10.201.2.1 TOPO_HB_RED=10.201.2.2
  export TOPO_RED_IF=red TOPO_BLACK_IF=black TOPO_BLACK_MTU=1500
  export TOPO_NAT=$prefix-nat TOPO_GA_PRIVATE=10.201.3.1 TOPO_NAT_INSIDE=10.201.3.254
}

topo_env() {
  topo_vars "${1:?topo_env: prefix missing}" || return 1
  local v
  for v in TOPO_PREFIX TOPO_STATE TOPO_HA TOPO_GA TOPO_GB TOPO_HB TOPO_RED_A_NET TOPO_BLACK_NET \
    TOPO_RED_B_NET TOPO_HA_RED TOPO_GA_RED TOPO_GA_BLACK TOPO_GB_BLACK TOPO_GB_RED TOPO_HB_RED \
    TOPO_RED_IF TOPO_BLACK_IF TOPO_BLACK_MTU; do
    printf '%s=%s\n' "$v" "${!v}"
  done
}

_topo_ns_exists() {
  ip netns list 2>/dev/null | awk '{ print $1 }' | grep -qxF -- "$1"
}

topo_is_up() {
  topo_vars "${1:?topo_is_up: prefix missing}" || return 1
  local ns
  for ns in "$TOPO_HA" "$TOPO_GA" "$TOPO_GB" "$TOPO_HB"; do
    _topo_ns_exists "$ns" || return 1
  done
}

topo_ping() {
  local ns=${1:?topo_ping: namespace missing} addr=${2:?topo_ping: address missing} try
  for try in 1 2 3 4 5; do
    if ip netns exec "$ns" ping -n -q -c 1 -W 1 "$addr" >/dev/null 2>&1; then
      return 0
    fi
    [ "$try" = 5 ] || sleep 0.2
  done
  return 1
}

topo_check_isolated() {
  topo_vars "${1:?topo_check_isolated: prefix missing}" || return 1
  if ip -n "$TOPO_GA" route get "$TOPO_HB_RED" >/dev/null 2>&1 \
    || ip -n "$TOPO_GB" route get "$TOPO_HA_RED" >/dev/null 2>&1; then
    echo "topology: a gateway has a route to the remote red subnet" >&2
    return 1
  fi
  if ip netns exec "$TOPO_HA" ping -n -q -c 1 -W 1 "$TOPO_HB_RED" >/dev/null 2>&1; then
    echo "topology: host A reaches host B without a tunnel" >&2
    return 1
  fi
}

# Fails with a message naming the step.
_topo_run() {
  local out
  if ! out=$("$@" 2>&1); then
    echo "topology: failed: $*${out:+: $out}" >&2
    return 1
  fi
}

_topo_build() {
  local ns
  mkdir -p "$TOPO_STATE/pids" || return 1
  for ns in "$TOPO_HA" "$TOPO_GA" "$TOPO_GB" "$TOPO_HB"; do
    _topo_run ip netns add "$ns" || return 1
    _topo_run ip -n "$ns" link set lo up || return 1
  done
  # Each veth pair is created inside its namespaces: no device ever appears in the caller's namespace.
  _topo_run ip -n "$TOPO_HA" link add red type veth peer name red netns "$TOPO_GA" || return 1
  _topo_run ip -n "$TOPO_GA" link add black mtu "$TOPO_BLACK_MTU" type veth \
    peer name black mtu "$TOPO_BLACK_MTU" netns "$TOPO_GB" || return 1
  _topo_run ip -n "$TOPO_GB" link add red type veth peer name red netns "$TOPO_HB" || return 1

  _topo_run ip -n "$TOPO_HA" addr add "$TOPO_HA_RED/24" dev red || return 1
  _topo_run ip -n "$TOPO_GA" addr add "$TOPO_GA_RED/24" dev red || return 1
  _topo_run ip -n "$TOPO_GA" addr add "$TOPO_GA_BLACK/24" dev black || return 1
  _topo_run ip -n "$TOPO_GB" addr add "$TOPO_GB_BLACK/24" dev black || return 1
  _topo_run ip -n "$TOPO_GB" addr add "$TOPO_GB_RED/24" dev red || return 1
  _topo_run ip -n "$TOPO_HB" addr add "$TOPO_HB_RED/24" dev red || return 1
  _topo_run ip -n "$TOPO_HA" link set red up || return 1
  _topo_run ip -n "$TOPO_GA" link set red up || return 1
  _topo_run ip -n "$TOPO_GA" link set black up || return 1
  _topo_run ip -n "$TOPO_GB" link set black up || return 1
  _topo_run ip -n "$TOPO_GB" link set red up || return 1
  _topo_run ip -n "$TOPO_HB" link set red up || return 1

  _topo_run ip -n "$TOPO_HA" route add "$TOPO_RED_B_NET" via "$TOPO_GA_RED" dev red || return 1
  _topo_run ip -n "$TOPO_HB" route add "$TOPO_RED_A_NET" via "$TOPO_GB_RED" dev red || return 1

  for ns in "$TOPO_GA" "$TOPO_GB"; do
    _topo_run ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=1 || return 1
  done
  for ns in "$TOPO_HA" "$TOPO_HB"; do
    _topo_run ip netns exec "$ns" sysctl -qw net.ipv4.ip_forward=0 || return 1
  done
  topo_env "$TOPO_PREFIX" >"$TOPO_STATE/topology.env" || return 1

  # Every link works, and nothing joins the red subnets.
  topo_ping "$TOPO_HA" "$TOPO_GA_RED" || { echo "topology: host A cannot reach gateway A" >&2; return 1; }
  topo_ping "$TOPO_GA" "$TOPO_GB_BLACK" || { echo "topology: gateway A cannot reach gateway B" >&2; return 1; }
  topo_ping "$TOPO_HB" "$TOPO_GB_RED" || { echo "topology: host B cannot reach gateway B" >&2; return 1; }
  topo_check_isolated "$TOPO_PREFIX" || return 1
}

_topo_nat_build() {
  _topo_run ip netns add "$TOPO_NAT" || return 1
  _topo_run ip -n "$TOPO_NAT" link set lo up || return 1
  # Deleting gateway A's black veth deletes gateway B's end too; both are made anew through the NAT.
  _topo_run ip -n "$TOPO_GA" link del black || return 1
  _topo_run ip -n "$TOPO_GA" link add black mtu "$TOPO_BLACK_MTU" type veth \
    peer name inside mtu "$TOPO_BLACK_MTU" netns "$TOPO_NAT" || return 1
  _topo_run ip -n "$TOPO_NAT" link add outside mtu "$TOPO_BLACK_MTU" type veth \
    peer name black mtu "$TOPO_BLACK_MTU" netns "$TOPO_GB" || return 1
  _topo_run ip -n "$TOPO_GA" addr add "$TOPO_GA_PRIVATE/24" dev black || return 1
  _topo_run ip -n "$TOPO_NAT" addr add "$TOPO_NAT_INSIDE/24" dev inside || return 1
  _topo_run ip -n "$TOPO_NAT" addr add "$TOPO_GA_BLACK/24" dev outside || return 1
  _topo_run ip -n "$TOPO_GB" addr add "$TOPO_GB_BLACK/24" dev black || return 1
  _topo_run ip -n "$TOPO_GA" link set black up || return 1
  _topo_run ip -n "$TOPO_NAT" link set inside up || return 1
  _topo_run ip -n "$TOPO_NAT" link set outside up || return 1
  _topo_run ip -n "$TOPO_GB" link set black up || return 1
  _topo_run ip -n "$TOPO_GA" route add "$TOPO_BLACK_NET" via "$TOPO_NAT_INSIDE" dev black || return 1
  _topo_run ip netns exec "$TOPO_NAT" sysctl -qw net.ipv4.ip_forward=1 || return 1
  _topo_run ip netns exec "$TOPO_NAT" nft add table ip nat || return 1
  _topo_run ip netns exec "$TOPO_NAT" nft add chain ip nat postrouting \
    '{ type nat hook postrouting priority srcnat; }' || return 1
  _topo_run ip netns exec "$TOPO_NAT" nft add rule ip nat postrouting oifname outside masquerade || return 1
  topo_ping "$TOPO_GA" "$TOPO_GB_BLACK" || { echo "topology: gateway A cannot reach gateway B through the NAT" >&2; return 1; }
  topo_check_isolated "$TOPO_PREFIX" || return 1
}

topo_nat_up() {
  local prefix=${1:?topo_nat_up: prefix missing}
  topo_vars "$prefix" || return 1
  if ! command -v nft >/dev/null; then
    echo "topology: nft is missing (Debian package nftables)" >&2
    return 1
  fi
  if ! topo_is_up "$prefix" || _topo_ns_exists "$TOPO_NAT"; then
    echo "topology: topo_nat_up needs a topology without NAT (topo_up $prefix first)" >&2
    return 1
  fi
  _topo_nat_build
}

topo_up() {
  local prefix=${1:?topo_up: prefix missing} ns
  topo_vars "$prefix" || return 1
  for ns in "$TOPO_HA" "$TOPO_GA" "$TOPO_GB" "$TOPO_HB"; do
    if _topo_ns_exists "$ns"; then
      echo "topology: namespace $ns exists already; run topo_down $prefix first" >&2
      return 1
    fi
  done
  if ! command -v ping >/dev/null; then
    echo "topology: ping is missing (Debian package iputils-ping)" >&2
    return 1
  fi
  if ! _topo_build; then
    topo_down "$prefix"
    return 1
  fi
}

# Prints the start time of a live (not zombie) process, from /proc/<pid>/stat field 22.
_topo_starttime() {
  local stat
  stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
  stat=${stat##*) }
  # shellcheck disable=SC2086 # split the fields on purpose
  set -- $stat
  [ "$1" != Z ] || return 1
  printf '%s\n' "${20}"
}

topo_track() {
  local prefix=${1:?topo_track: prefix missing} name=${2:?topo_track: name missing} pid=${3:?topo_track: pid missing} start
  topo_vars "$prefix" || return 1
  mkdir -p "$TOPO_STATE/pids" || return 1
  start=$(_topo_starttime "$pid") || start=gone
  printf '%s %s\n' "$pid" "$start" >"$TOPO_STATE/pids/$name"
}

topo_tracked_pid() {
  local prefix=${1:?topo_tracked_pid: prefix missing} name=${2:?topo_tracked_pid: name missing} pid start
  topo_vars "$prefix" || return 1
  [ -f "$TOPO_STATE/pids/$name" ] || return 1
  read -r pid start <"$TOPO_STATE/pids/$name" || return 1
  [ "$(_topo_starttime "$pid" 2>/dev/null)" = "$start" ] || return 1
  printf '%s\n' "$pid"
}

topo_kill() {
  local prefix=${1:?topo_kill: prefix missing} name=${2:?topo_kill: name missing} pid i
  topo_vars "$prefix" || return 1
  [ -f "$TOPO_STATE/pids/$name" ] || return 0
  if pid=$(topo_tracked_pid "$prefix" "$name"); then
    kill -TERM "$pid" 2>/dev/null || true
    for i in $(seq 1 100); do
      _topo_starttime "$pid" >/dev/null 2>&1 || break
      [ "$i" != 100 ] || { echo "topology: $name ($pid) ignored TERM, killing it" >&2; kill -KILL "$pid" 2>/dev/null || true; }
      sleep 0.1
    done
    wait "$pid" 2>/dev/null || true # reaps it when it is this shell's child
  fi
  rm -f "$TOPO_STATE/pids/$name"
}

topo_down() {
  local prefix=${1:?topo_down: prefix missing} f ns pids
  topo_vars "$prefix" || return 1
  if [ -d "$TOPO_STATE/pids" ]; then
    for f in "$TOPO_STATE"/pids/*; do
      [ -e "$f" ] || continue
      topo_kill "$prefix" "$(basename "$f")"
    done
  fi
  for ns in "$TOPO_HB" "$TOPO_GB" "$TOPO_NAT" "$TOPO_GA" "$TOPO_HA"; do
    _topo_ns_exists "$ns" || continue
    pids=$(ip netns pids "$ns" 2>/dev/null | tr '\n' ' ')
    if [ -n "$pids" ]; then
      echo "topology: warning: processes not started through topo_track still run in $ns: $pids(not killed)" >&2
    fi
    ip netns del "$ns" 2>/dev/null || echo "topology: warning: could not delete namespace $ns" >&2
  done
  rm -rf "$TOPO_STATE"
}
