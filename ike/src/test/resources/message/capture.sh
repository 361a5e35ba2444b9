#!/bin/sh
# Captures IKEv2 exchanges between two strongSwan 5.9.8 daemons (Debian bookworm packages) in two
# network namespaces joined by a veth pair, and logs the IKE SA keys (charon log level ike=4 prints
# Sk_ei/Sk_er). Needs root. Usage: capture.sh OUTDIR [FRAGMENT_SIZE]
set -eu
OUT=$1; FRAG=${2:-1280}
mkdir -p "$OUT"; OUT=$(cd "$OUT" && pwd)
A=ikecap-a; B=ikecap-b
PIDS=""
cleanup() {
  for p in $PIDS; do kill "$p" 2>/dev/null || true; done
  sleep 1
  ip netns del $A 2>/dev/null || true; ip netns del $B 2>/dev/null || true
}
trap cleanup EXIT
ip netns add $A; ip netns add $B
ip link add ikecap0 netns $A type veth peer name ikecap1 netns $B
ip -n $A addr add 10.203.7.1/24 dev ikecap0; ip -n $B addr add 10.203.7.2/24 dev ikecap1
ip -n $A link set ikecap0 up; ip -n $B link set ikecap1 up
ip -n $A link set lo up; ip -n $B link set lo up
# kernel-libipsec routes a policy from a local address inside the local traffic selector
for a in 10.203.8.1/32 10.203.10.1/32 fd00:203:10::1/128; do ip -n $A addr add $a dev lo; done
for a in 10.203.9.1/32 10.203.11.1/32 fd00:203:11::1/128; do ip -n $B addr add $a dev lo; done

for side in a b; do
  d=$OUT/$side; mkdir -p "$d/run"
  if [ $side = a ]; then
    me=10.203.7.1; peer=10.203.7.2
    gcm_l=10.203.8.0/24; gcm_r=10.203.9.0/24
    cha_l="10.203.10.0/24[udp/500],fd00:203:10::/64"; cha_r="10.203.11.1-10.203.11.20,fd00:203:11::/64"
  else
    me=10.203.7.2; peer=10.203.7.1
    gcm_l=10.203.9.0/24; gcm_r=10.203.8.0/24
    cha_l="10.203.11.1-10.203.11.20,fd00:203:11::/64"; cha_r="10.203.10.0/24[udp/500],fd00:203:10::/64"
  fi
  cat > "$d/strongswan.conf" <<CONF
charon {
  load = kernel-libipsec kernel-netlink socket-default vici nonce random openssl x509 pubkey pem pkcs1 pkcs8 kdf curve25519 gcm chapoly hmac sha2 updown
  install_routes = no
  fragment_size = $FRAG
  plugins {
    vici {
      socket = unix:///run/charon.vici
    }
  }
  filelog {
    log {
      path = /run/charon.log
      default = 1
      ike = 4
      net = 2
      knl = 2
      enc = 2
      time_format = %T
    }
  }
}
CONF
  cat > "$d/swanctl.conf" <<CONF
connections {
  gcm {
    version = 2
    local_addrs = $me
    remote_addrs = $peer
    proposals = aes256gcm16-prfsha256-x25519
    fragmentation = yes
    local {
      auth = psk
      id = $side.ikecap.example
    }
    remote {
      auth = psk
    }
    children {
      gcm {
        local_ts = $gcm_l
        remote_ts = $gcm_r
        esp_proposals = aes256gcm16
      }
    }
  }
  chacha {
    version = 2
    local_addrs = $me
    remote_addrs = $peer
    proposals = chacha20poly1305-prfsha256-x25519
    fragmentation = yes
    local {
      auth = psk
      id = $side.ikecap.example
    }
    remote {
      auth = psk
    }
    children {
      chacha {
        local_ts = $cha_l
        remote_ts = $cha_r
        esp_proposals = chacha20poly1305
      }
    }
  }
}
secrets {
  ike-1 {
    secret = "ikecap-psk-not-secret"
  }
}
CONF
done

ip netns exec $A tcpdump -i ikecap0 -U -w "$OUT/ike.pcap" udp port 500 or udp port 4500 2>"$OUT/tcpdump.log" &
PIDS="$PIDS $!"
sleep 1
for side in a b; do
  ns=ikecap-$side; d=$OUT/$side
  STRONGSWAN_CONF=$d/strongswan.conf ip netns exec $ns unshare -m sh -c "mount --bind $d/run /run && exec /usr/lib/ipsec/charon" >"$d/stdout.log" 2>&1 &
  PIDS="$PIDS $!"
done
sleep 3
for side in a b; do
  swanctl --load-all --file "$OUT/$side/swanctl.conf" --uri "unix://$OUT/$side/run/charon.vici" >"$OUT/$side/load.log" 2>&1
done
swanctl --initiate --child gcm --uri "unix://$OUT/a/run/charon.vici" >"$OUT/initiate-gcm.log" 2>&1 || true
swanctl --initiate --child chacha --uri "unix://$OUT/a/run/charon.vici" >"$OUT/initiate-chacha.log" 2>&1 || true
sleep 1
swanctl --rekey --child gcm --uri "unix://$OUT/a/run/charon.vici" >"$OUT/rekey-gcm.log" 2>&1 || true
sleep 1
swanctl --terminate --child chacha --uri "unix://$OUT/a/run/charon.vici" >"$OUT/terminate-child-chacha.log" 2>&1 || true
sleep 1
swanctl --terminate --ike gcm --uri "unix://$OUT/a/run/charon.vici" >"$OUT/terminate-gcm.log" 2>&1 || true
swanctl --terminate --ike chacha --uri "unix://$OUT/b/run/charon.vici" >"$OUT/terminate-chacha.log" 2>&1 || true
sleep 2
