#!/usr/bin/env bash
# A lab to try things by hand: the four-namespace topology of the end-to-end tests and benchmarks
# (benchmarks/lib/topology.sh), red host A - gateway A - gateway B - red host B, optionally with the
# strongSwan reference pair (benchmarks/lib/strongswan.sh) tunnelling red A to red B.
#
#   scripts/lab.sh up [--strongswan]   build it (namespaces lab-ha, lab-ga, lab-gb, lab-hb); with
#                                      --strongswan also start the strongSwan pair (also when the
#                                      topology is up already)
#   scripts/lab.sh down                stop strongSwan and delete the namespaces
#   scripts/lab.sh status              namespaces, addresses, routes and strongSwan's SAs
#   scripts/lab.sh console [ARGS]      build it and run the appliance (profile lab) inside lab-ga:
#                                      gateway A on TUN there, gateway B as its child process in
#                                      lab-gb, an IKE tunnel red A <-> red B; deletes the lab when the
#                                      appliance stops (Ctrl-C). ARGS go to the appliance. Builds the
#                                      appliance's jar when it is missing.
#
# Needs root. LAB_PREFIX changes the namespace prefix (default lab).
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
# shellcheck source=SCRIPTDIR/../benchmarks/lib/topology.sh
. "$here/benchmarks/lib/topology.sh"
# shellcheck source=SCRIPTDIR/../benchmarks/lib/strongswan.sh
. "$here/benchmarks/lib/strongswan.sh"
prefix=${LAB_PREFIX:-lab}

usage() {
  echo "usage: $0 up [--strongswan] | down | status | console [appliance args]" >&2
  exit 2
}

help_text() {
  topo_vars "$prefix"
  cat <<EOF

Namespaces (each has only lo and its veths; no default route anywhere):
  $TOPO_HA  red host A   $TOPO_RED_IF $TOPO_HA_RED/24, route $TOPO_RED_B_NET via $TOPO_GA_RED
  $TOPO_GA  gateway A    $TOPO_RED_IF $TOPO_GA_RED/24, $TOPO_BLACK_IF $TOPO_GA_BLACK/24
  $TOPO_GB  gateway B    $TOPO_BLACK_IF $TOPO_GB_BLACK/24, $TOPO_RED_IF $TOPO_GB_RED/24
  $TOPO_HB  red host B   $TOPO_RED_IF $TOPO_HB_RED/24, route $TOPO_RED_A_NET via $TOPO_GB_RED
Only a tunnel between the gateways joins the red subnets.

Run commands inside a namespace with ip netns exec, for example:
  ip netns exec $TOPO_HA ping $TOPO_HB_RED            red A to red B (needs a tunnel)
  ip netns exec $TOPO_GA ping $TOPO_GB_BLACK            gateway A to gateway B over black
  ip netns exec $TOPO_GA tcpdump -ni $TOPO_BLACK_IF udp port 4500   ESP-in-UDP on the black link
  ip netns exec $TOPO_HB iperf3 -s -B $TOPO_HB_RED    then: ip netns exec $TOPO_HA iperf3 -c $TOPO_HB_RED
  ip netns exec $TOPO_GA bash                          a shell inside gateway A
The variables: $TOPO_STATE/topology.env. Tear down: scripts/lab.sh down
EOF
  if sswan_running "$prefix"; then
    cat <<EOF
strongSwan runs on both gateways; its logs are in $TOPO_STATE/sswan-ga and $TOPO_STATE/sswan-gb.
  $0 status                                         its SAs
  swanctl --list-sas --uri unix://$TOPO_STATE/sswan-ga/charon.vici    gateway A's charon directly
EOF
  fi
}

# The appliance in its lab profile inside gateway A's namespace (LabDataPath starts gateway B in
# gateway B's namespace); the lab is deleted when it exits, however it exits.
console() {
  topo_vars "$prefix"
  local jar java status=0
  jar=$here/admin-ui/target/admin-ui-0.1.0-SNAPSHOT.jar
  if [ ! -s "$jar" ]; then
    echo "lab: building the appliance ($jar)"
    (cd "$here" && ./gw mvn -q -pl admin-ui -am -DskipTests install) >&2
  fi
  java=$(cd "$here" && ./gw java -XshowSettings:properties -version 2>&1 | sed -n 's/^ *java.home = //p')/bin/java
  if topo_is_up "$prefix"; then
    if sswan_running "$prefix" || topo_tracked_pid "$prefix" ours-ga >/dev/null \
      || topo_tracked_pid "$prefix" ours-gb >/dev/null || topo_tracked_pid "$prefix" lab-gb-gateway >/dev/null; then
      echo "lab: gateways run in $prefix already; stop them first: $0 down" >&2
      exit 1
    fi
    echo "lab: topology $prefix is up already"
  else
    topo_up "$prefix"
  fi
  trap 'sswan_down "$prefix"; topo_down "$prefix"; echo "lab: $prefix is down"' EXIT
  cat <<HELP
lab: topology $prefix is up; starting the appliance (profile lab) in $TOPO_GA, gateway B in $TOPO_GB.
When it logs "Started", from another terminal:
  sudo ip netns exec $TOPO_HA ping $TOPO_HB_RED       red host A to red host B through the IKE tunnel
  sudo ip netns exec $TOPO_GA curl -u admin:PASSWORD http://127.0.0.1:8080/api/tunnels
(the password is printed below at the first start). Ctrl-C stops it and deletes the lab.
HELP
  # TOPO_STATE (exported by topo_vars) is where the appliance records gateway B's pid for topo_down.
  # In the background (which ignores SIGINT in it) so that Ctrl-C or a TERM to this script reach it
  # as one TERM, by pid; scripts/lab.sh down from elsewhere stops it too (topo_track).
  ip netns exec "$TOPO_GA" "$java" --enable-native-access=ALL-UNNAMED -jar "$jar" \
    --spring.profiles.active=lab "$@" &
  local app=$!
  topo_track "$prefix" lab-console "$app"
  local stopping=0
  trap 'stopping=1; kill -TERM "$app" 2>/dev/null || true' INT TERM
  while :; do
    wait "$app" && status=0 || status=$?
    kill -0 "$app" 2>/dev/null || break
  done
  trap - INT TERM
  # Stopped as asked: java exits 143 on TERM.
  if [ "$stopping" = 1 ] && [ "$status" = 143 ]; then status=0; fi
  return "$status"
}

if [ "$(id -u)" != 0 ]; then
  echo "lab: needs root (network namespaces)" >&2
  exit 1
fi

cmd=${1:-}
[ -n "$cmd" ] || usage
shift
if [ "$cmd" = console ]; then
  console "$@"
  exit
fi
strongswan=0
for arg in "$@"; do
  case $arg in
    --strongswan) strongswan=1 ;;
    *) usage ;;
  esac
done
[ "$strongswan" = 0 ] || [ "$cmd" = up ] || usage

case $cmd in
  up)
    command -v ping >/dev/null || { apt-get update -qq && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq iputils-ping; } >&2
    if topo_is_up "$prefix"; then
      echo "lab: topology $prefix is up already"
    else
      topo_up "$prefix"
      echo "lab: topology $prefix is up; host A cannot reach host B (no tunnel)"
    fi
    if [ "$strongswan" = 1 ]; then
      if sswan_running "$prefix"; then
        echo "lab: strongSwan runs already"
      elif sswan_up "$prefix"; then
        echo "lab: strongSwan tunnel $TOPO_RED_A_NET <-> $TOPO_RED_B_NET is up; host A pings host B through it"
      else
        echo "lab: strongSwan failed to start; the topology stays up (scripts/lab.sh down removes it)" >&2
        exit 1
      fi
    fi
    help_text
    ;;
  down)
    sswan_down "$prefix"
    topo_down "$prefix"
    echo "lab: $prefix is down"
    ;;
  status)
    topo_vars "$prefix"
    if ! topo_is_up "$prefix"; then
      echo "lab: topology $prefix is not up (scripts/lab.sh up)"
      exit 1
    fi
    for ns in "$TOPO_HA" "$TOPO_GA" "$TOPO_GB" "$TOPO_HB"; do
      echo "--- $ns"
      ip -n "$ns" -br addr
      ip -n "$ns" route show table all | grep -vE '^(local|broadcast|multicast|fe80|ff00)' || true
    done
    if sswan_running "$prefix"; then
      sswan_status "$prefix"
    else
      echo "--- strongSwan is not running (scripts/lab.sh up --strongswan)"
    fi
    if ip netns exec "$TOPO_HA" ping -n -q -c 1 -W 1 "$TOPO_HB_RED" >/dev/null 2>&1; then
      echo "--- host A reaches host B"
    else
      echo "--- host A does not reach host B"
    fi
    ;;
  *) usage ;;
esac
