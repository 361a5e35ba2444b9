#!/usr/bin/env bash
# shellcheck shell=bash
# strongSwan reference pair on the lab topology (benchmarks/lib/topology.sh): one charon per gateway
# namespace with strongSwan's user-space ESP data path (kernel-libipsec, UDP-encapsulated ESP only,
# no ESN), a PSK tunnel between gateway A (10.201.0.1) and gateway B (10.201.0.2) protecting
# 10.201.1.0/24 <-> 10.201.2.0/24, initiated from A.
#
# Each charon runs in the foreground inside its gateway namespace with its own /run (a per-instance
# directory bind-mounted over /run in a private mount namespace, because charon's pid file path is
# compiled in), its own vici socket and its own strongswan.conf (STRONGSWAN_CONF), rendered from
# benchmarks/strongswan/*.in. Nothing of it is visible outside the namespaces but the instance
# directories under $TOPO_STATE.
#
# Use it by sourcing, after topology.sh:
#   . benchmarks/lib/topology.sh; . benchmarks/lib/strongswan.sh
#   sswan_install               install the Debian packages when charon, swanctl or a plugin is missing
#   sswan_up <prefix> [ike-proposal] [esp-proposal]
#                               start both charons on the topology <prefix> (topo_up first), load the
#                               connection and its PSK, initiate from A, wait (bounded) until the CHILD_SA is
#                               INSTALLED on both sides, and check that host A pings host B.
#                               Defaults: aes128gcm16-prfsha256-x25519 and aes128gcm16.
#                               On failure: prints the end of both logs, stops everything it started
#                               and returns 1.
#   sswan_down <prefix>         stop both charons (by pid; TERM, then KILL) and remove their
#                               configuration and /run directories; logs are kept. Idempotent.
#   sswan_running <prefix>      true while both charons run
#   sswan_status <prefix>       print the SAs of both gateways
#   sswan_swanctl <prefix> <ga|gb> <swanctl args...>  run swanctl against that gateway's charon
#
# Any number of further charon instances, each configured by its caller (the interop tests'
# StrongSwanPeer, benchmarks/ike-setup-rate.sh), run through the same start and stop code:
#   sswan_instance_dir <prefix> <name>   print the instance directory, $TOPO_STATE/sswan-<name>; the
#                               caller writes <dir>/strongswan.conf (vici socket unix://<dir>/charon.vici)
#                               and whatever swanctl.conf it loads
#   sswan_instance_start <prefix> <name> <namespace>
#                               start charon in <namespace> with <dir>/strongswan.conf and <dir>/run
#                               over /run, recorded as sswan-<name> (topo_track); wait (at most 15 s)
#                               until its vici socket answers. Standard output and error: <dir>/charon.out
#   sswan_instance_swanctl <prefix> <name> <swanctl args...>   swanctl against that instance
#   sswan_instance_stop <prefix> <name>  stop it (by pid; TERM, then KILL) and remove its /run
#                               directory and vici socket; the rest of <dir> is kept. Idempotent.
# Instance directory: $TOPO_STATE/sswan-<ga|gb>. Logs: ${SSWAN_LOG_DIR:-instance directory}/charon-<ga|gb>.log
# (charon's file log) and charon-<ga|gb>.out (its standard output and error, swanctl's output).
# Needs root, util-linux (unshare, mount).

SSWAN_TEMPLATES=$(cd "$(dirname "${BASH_SOURCE[0]}")/../strongswan" && pwd)
SSWAN_CHARON=/usr/lib/ipsec/charon
SSWAN_PACKAGES="strongswan-charon strongswan-swanctl libcharon-extra-plugins libstrongswan-standard-plugins libstrongswan-extra-plugins"
SSWAN_DEFAULT_IKE=aes128gcm16-prfsha256-x25519
SSWAN_DEFAULT_ESP=aes128gcm16

sswan_install() {
  local plugin missing=0
  command -v swanctl >/dev/null || missing=1
  [ -x "$SSWAN_CHARON" ] || missing=1
  for plugin in kernel-libipsec kernel-netlink kdf curve25519 openssl gcm chapoly vici socket-default; do
    [ -e "/usr/lib/ipsec/plugins/libstrongswan-$plugin.so" ] || missing=1
  done
  [ "$missing" = 1 ] || return 0
  echo "strongswan: installing $SSWAN_PACKAGES" >&2
  # shellcheck disable=SC2086 # a list of package names
  { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq $SSWAN_PACKAGES; } >&2
}

_sswan_dir() { printf '%s/sswan-%s\n' "$TOPO_STATE" "$1"; }
_sswan_logdir() { if [ -n "${SSWAN_LOG_DIR:-}" ]; then printf '%s\n' "$SSWAN_LOG_DIR"; else _sswan_dir "$1"; fi; }

sswan_swanctl() {
  local prefix=${1:?sswan_swanctl: prefix missing} side=${2:?sswan_swanctl: side missing} dir
  shift 2
  topo_vars "$prefix" || return 1
  dir=$(_sswan_dir "$side")
  STRONGSWAN_CONF="$dir/strongswan.conf" swanctl "$@" --uri "unix://$dir/charon.vici"
}

sswan_running() {
  topo_vars "${1:?sswan_running: prefix missing}" || return 1
  topo_tracked_pid "$1" sswan-ga >/dev/null && topo_tracked_pid "$1" sswan-gb >/dev/null
}

sswan_status() {
  local prefix=${1:?sswan_status: prefix missing} side
  for side in ga gb; do
    echo "--- strongSwan on $prefix-$side"
    sswan_swanctl "$prefix" "$side" --list-sas || true
  done
}

# _sswan_render <template> <output> NAME=value...
_sswan_render() {
  local template=$1 output=$2 kv script=()
  shift 2
  for kv in "$@"; do
    script+=(-e "s|@${kv%%=*}@|${kv#*=}|g")
  done
  sed "${script[@]}" "$SSWAN_TEMPLATES/$template" >"$output" || return 1
  if grep -q '@[A-Z_]*@' "$output"; then
    echo "strongswan: unreplaced placeholder in $output" >&2
    return 1
  fi
}

# _sswan_configure <side> <local> <remote> <local-ts> <remote-ts> <ike> <esp> <psk>
_sswan_configure() {
  local side=$1 dir logdir
  dir=$(_sswan_dir "$side")
  logdir=$(_sswan_logdir "$side")
  rm -rf "$dir/run" "$dir/swanctl" || return 1
  mkdir -p "$dir/run" "$dir/swanctl" "$logdir" || return 1
  # The credential directories swanctl --load-all scans: empty, the PSK is in swanctl.conf.
  (cd "$dir/swanctl" && mkdir x509 x509ca x509ocsp x509aa x509ac x509crl pubkey private rsa ecdsa bliss pkcs8 pkcs12) || return 1
  chmod 700 "$dir" "$dir/swanctl" || return 1
  _sswan_render strongswan.conf.in "$dir/strongswan.conf" \
    "VICI=$dir/charon.vici" "LOG=$logdir/charon-$side.log" || return 1
  _sswan_render swanctl.conf.in "$dir/swanctl/swanctl.conf" \
    "LOCAL=$2" "REMOTE=$3" "LOCAL_TS=$4" "REMOTE_TS=$5" "IKE_PROPOSAL=$6" "ESP_PROPOSAL=$7" "PSK=$8" || return 1
}

# _sswan_spawn <prefix> <name> <namespace> <output file>: starts charon of instance <name> in the
# background and waits until its vici socket answers (at most 15 s).
_sswan_spawn() {
  local prefix=$1 name=$2 ns=$3 out=$4 dir i
  dir=$(_sswan_dir "$name")
  rm -f "$dir/charon.vici"
  mkdir -p "$dir/run" || return 1
  # ip netns exec, unshare and sh all exec: the recorded pid is charon's own.
  # shellcheck disable=SC2016 # expanded by the inner shell
  STRONGSWAN_CONF="$dir/strongswan.conf" ip netns exec "$ns" \
    unshare --mount --propagation private \
    sh -c 'mount --bind "$1" /run && exec "$2"' sh "$dir/run" "$SSWAN_CHARON" \
    >>"$out" 2>&1 </dev/null &
  topo_track "$prefix" "sswan-$name" $! || return 1
  for i in $(seq 1 150); do
    if ! topo_tracked_pid "$prefix" "sswan-$name" >/dev/null; then
      echo "strongswan: charon in $ns exited at start" >&2
      return 1
    fi
    if [ -S "$dir/charon.vici" ] && sswan_instance_swanctl "$prefix" "$name" --stats >/dev/null 2>&1; then
      return 0
    fi
    [ "$i" = 150 ] || sleep 0.1
  done
  echo "strongswan: charon in $ns did not answer on its vici socket within 15 s" >&2
  return 1
}

# _sswan_start <prefix> <side> <namespace>: one charon of the reference pair.
_sswan_start() {
  _sswan_spawn "$1" "$2" "$3" "$(_sswan_logdir "$2")/charon-$2.out"
}

_sswan_check_name() {
  if ! [[ ${1:-} =~ ^[A-Za-z0-9][A-Za-z0-9_.-]{0,30}$ ]]; then
    echo "strongswan: bad instance name '${1:-}'" >&2
    return 1
  fi
}

sswan_instance_dir() {
  topo_vars "${1:?sswan_instance_dir: prefix missing}" || return 1
  _sswan_check_name "${2:-}" || return 1
  _sswan_dir "$2"
}

sswan_instance_swanctl() {
  local prefix=${1:?sswan_instance_swanctl: prefix missing} name=${2:?sswan_instance_swanctl: name missing}
  shift 2
  sswan_swanctl "$prefix" "$name" "$@"
}

sswan_instance_start() {
  local prefix=${1:?sswan_instance_start: prefix missing} name=${2:-} ns=${3:?sswan_instance_start: namespace missing} dir
  dir=$(sswan_instance_dir "$prefix" "$name") || return 1
  if [ ! -f "$dir/strongswan.conf" ]; then
    echo "strongswan: $dir/strongswan.conf is missing" >&2
    return 1
  fi
  if topo_tracked_pid "$prefix" "sswan-$name" >/dev/null; then
    echo "strongswan: instance $name already runs on $prefix" >&2
    return 1
  fi
  sswan_install || return 1
  if ! _sswan_spawn "$prefix" "$name" "$ns" "$dir/charon.out"; then
    topo_kill "$prefix" "sswan-$name"
    return 1
  fi
}

sswan_instance_stop() {
  local prefix=${1:?sswan_instance_stop: prefix missing} name=${2:-} dir
  dir=$(sswan_instance_dir "$prefix" "$name") || return 1
  topo_kill "$prefix" "sswan-$name"
  rm -rf "$dir/run" "$dir/charon.vici"
}

_sswan_installed() {
  sswan_swanctl "$1" "$2" --list-sas --ike gw 2>/dev/null | grep -q 'INSTALLED'
}

_sswan_tails() {
  local side f
  for side in ga gb; do
    for f in "$(_sswan_logdir "$side")/charon-$side.log" "$(_sswan_logdir "$side")/charon-$side.out"; do
      [ -s "$f" ] || continue
      echo "----- last lines of $f" >&2
      tail -n 25 "$f" >&2
    done
  done
}

_sswan_bring_up() {
  local prefix=$1 ike=$2 esp=$3 psk i side
  psk=0x$(od -An -tx1 -N32 /dev/urandom | tr -d ' \n') || return 1
  _sswan_configure ga "$TOPO_GA_BLACK" "$TOPO_GB_BLACK" "$TOPO_RED_A_NET" "$TOPO_RED_B_NET" "$ike" "$esp" "$psk" || return 1
  _sswan_configure gb "$TOPO_GB_BLACK" "$TOPO_GA_BLACK" "$TOPO_RED_B_NET" "$TOPO_RED_A_NET" "$ike" "$esp" "$psk" || return 1
  _sswan_start "$prefix" ga "$TOPO_GA" || return 1
  _sswan_start "$prefix" gb "$TOPO_GB" || return 1
  for side in ga gb; do
    if ! sswan_swanctl "$prefix" "$side" --load-all --noprompt --file "$(_sswan_dir "$side")/swanctl/swanctl.conf" \
      >>"$(_sswan_logdir "$side")/charon-$side.out" 2>&1; then
      echo "strongswan: swanctl --load-all failed on $side" >&2
      return 1
    fi
  done
  if ! sswan_swanctl "$prefix" ga --initiate --ike gw --child net --timeout 20 \
    >>"$(_sswan_logdir ga)/charon-ga.out" 2>&1; then
    echo "strongswan: initiating the tunnel from gateway A failed" >&2
    return 1
  fi
  for i in $(seq 1 100); do
    if _sswan_installed "$prefix" ga && _sswan_installed "$prefix" gb; then
      break
    fi
    if [ "$i" = 100 ]; then
      echo "strongswan: the CHILD_SA is not INSTALLED on both gateways within 10 s" >&2
      return 1
    fi
    sleep 0.1
  done
  if ! topo_ping "$TOPO_HA" "$TOPO_HB_RED"; then
    echo "strongswan: tunnel installed, but host A cannot ping host B through it" >&2
    return 1
  fi
}

sswan_up() {
  local prefix=${1:?sswan_up: prefix missing} ike=${2:-$SSWAN_DEFAULT_IKE} esp=${3:-$SSWAN_DEFAULT_ESP}
  topo_vars "$prefix" || return 1
  if ! [[ $ike =~ ^[A-Za-z0-9_,-]+$ && $esp =~ ^[A-Za-z0-9_,-]+$ ]]; then
    echo "strongswan: bad proposal '$ike' / '$esp'" >&2
    return 1
  fi
  if ! topo_is_up "$prefix"; then
    echo "strongswan: topology $prefix is not up (topo_up $prefix)" >&2
    return 1
  fi
  if sswan_running "$prefix"; then
    echo "strongswan: already running on $prefix" >&2
    return 1
  fi
  sswan_install || return 1
  if ! _sswan_bring_up "$prefix" "$ike" "$esp"; then
    _sswan_tails
    sswan_down "$prefix"
    return 1
  fi
}

sswan_down() {
  local prefix=${1:?sswan_down: prefix missing} side dir
  topo_vars "$prefix" || return 1
  for side in ga gb; do
    topo_kill "$prefix" "sswan-$side"
    dir=$(_sswan_dir "$side")
    rm -rf "$dir/run" "$dir/swanctl" "$dir/strongswan.conf" "$dir/charon.vici"
  done
}
