#!/usr/bin/env bash
# shellcheck shell=bash
# Traffic helpers for the lab topology (benchmarks/lib/topology.sh): background servers and packet
# captures that run inside a namespace and are recorded with topo_track (so topo_kill and topo_down
# stop them by pid, and only them), and a generator of malformed, forged, replayed and oversized
# NAT-T datagrams for the gateway's bad-input tests.
#
#   . benchmarks/lib/topology.sh; . benchmarks/lib/traffic.sh
#   traffic_iperf3_server <prefix> <ns> [port]
#                         start `iperf3 -s` in <ns> (recorded as iperf3-<ns>) and wait until it listens;
#                         output in $TOPO_STATE/iperf3-<ns>.log
#   traffic_capture <prefix> <name> <ns> <iface> <file> <max-packets> [pcap filter words...]
#                         start tcpdump on <iface> in <ns>, writing <file> (packet-buffered), recorded
#                         as <name>; returns once tcpdump listens. It stops by itself after <max-packets>
#                         packets; its messages go to <file>.log. TRAFFIC_SNAPLEN: octets kept per packet
#                         (default 262144, all)
#   traffic_stop <prefix> <name>
#                         stop a recorded helper (TERM: tcpdump then closes its file properly)
#   traffic_bad_input <ns> <addr> <port> <pcap> [random-count] [seed]
#                         from <ns>, send to <addr>:<port> (UDP): <random-count> (default 10000) random
#                         datagrams of 0-2000 octets, truncated ESP, ESP with unknown SPIs, forged ESP
#                         (known SPI, fresh sequence number, random body), verbatim replays of the ESP
#                         packets in <pcap> (captured on their way to <addr>:<port>) and oversized
#                         datagrams (up to 9000 octets). The known SPIs are those seen in <pcap>. Prints
#                         what the receiver's status must count, one `expect <key> <n>` line per status
#                         key (see gateway-core's GatewayStatus), and `sent <kind> <n>` lines.
# Needs root, iproute2 (ip, ss), iperf3, tcpdump, python3.

traffic_iperf3_server() {
  local prefix=${1:?traffic_iperf3_server: prefix missing} ns=${2:?traffic_iperf3_server: namespace missing}
  local port=${3:-5201} name i
  topo_vars "$prefix" || return 1
  name=iperf3-$ns
  ip netns exec "$ns" iperf3 -s -p "$port" >"$TOPO_STATE/$name.log" 2>&1 &
  topo_track "$prefix" "$name" $!
  for ((i = 0; i < 100; i++)); do
    if [ -n "$(ip netns exec "$ns" ss -Hltn "sport = :$port" 2>/dev/null)" ]; then
      return 0
    fi
    topo_tracked_pid "$prefix" "$name" >/dev/null || break
    sleep 0.05
  done
  echo "traffic: iperf3 server in $ns did not listen on port $port:" >&2
  cat "$TOPO_STATE/$name.log" >&2
  topo_kill "$prefix" "$name"
  return 1
}

traffic_capture() {
  local prefix=${1:?traffic_capture: prefix missing} name=${2:?traffic_capture: name missing}
  local ns=${3:?traffic_capture: namespace missing} iface=${4:?traffic_capture: interface missing}
  local file=${5:?traffic_capture: file missing} count=${6:?traffic_capture: packet count missing} i
  shift 6
  topo_vars "$prefix" || return 1
  rm -f "$file"
  # -Z root: tcpdump would otherwise switch to its own user before opening the output file.
  ip netns exec "$ns" tcpdump -i "$iface" -nn -U -Z root -s "${TRAFFIC_SNAPLEN:-262144}" -c "$count" -w "$file" "$@" >"$file.log" 2>&1 &
  topo_track "$prefix" "$name" $!
  for ((i = 0; i < 100; i++)); do
    if grep -q "listening on" "$file.log" 2>/dev/null; then
      return 0
    fi
    topo_tracked_pid "$prefix" "$name" >/dev/null || break
    sleep 0.05
  done
  echo "traffic: tcpdump in $ns on $iface did not start:" >&2
  cat "$file.log" >&2
  topo_kill "$prefix" "$name"
  return 1
}

traffic_stop() {
  topo_kill "${1:?traffic_stop: prefix missing}" "${2:?traffic_stop: name missing}"
}

traffic_bad_input() {
  local ns=${1:?traffic_bad_input: namespace missing} addr=${2:?traffic_bad_input: address missing}
  local port=${3:?traffic_bad_input: port missing} pcap=${4:?traffic_bad_input: pcap missing}
  local count=${5:-10000} seed=${6:-}
  ip netns exec "$ns" python3 - "$addr" "$port" "$pcap" "$count" "$seed" <<'PYTHON'
import os, random, socket, struct, sys, time

addr, port, pcap, count, seed = sys.argv[1], int(sys.argv[2]), sys.argv[3], int(sys.argv[4]), sys.argv[5]
rng = random.Random(int(seed) if seed else int.from_bytes(os.urandom(8), "big"))
ESP_MIN = 8 + 8 + 2 + 16  # SPI, sequence number, IV, pad length + next header, ICV (AES-GCM, ChaCha20)
SLOT = 2048               # the gateway's receive slot (DatagramBatching.DEFAULT.maxDatagramSize)


def udp_payloads(path):
    """UDP payloads of the IPv4 packets in a pcap file (Ethernet, raw IP or Linux cooked)."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    endian = "<" if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1") else ">"
    link = struct.unpack(endian + "I", data[20:24])[0]
    offset = {1: 14, 101: 0, 113: 16, 276: 20}[link]
    out, at = [], 24
    while at + 16 <= len(data):
        incl = struct.unpack(endian + "I", data[at + 8:at + 12])[0]
        frame = data[at + 16:at + 16 + incl]
        at += 16 + incl
        ip = frame[offset:]
        if len(ip) < 28 or ip[0] >> 4 != 4 or ip[9] != 17:
            continue
        ihl = (ip[0] & 15) * 4
        total = struct.unpack(">H", ip[2:4])[0]
        out.append(ip[ihl + 8:total])
    return out


# A UDP GSO run captured before the kernel cut it (the sender's tcpdump sees one packet) is many ESP
# packets back to back: only single datagrams that fit a 1500-octet link are real packets to replay.
real = [p for p in udp_payloads(pcap)
        if ESP_MIN <= len(p) <= 1500 - 28 and struct.unpack(">I", p[:4])[0] > 255]
if not real:
    sys.exit("traffic_bad_input: no ESP packet in " + pcap)
known = sorted({struct.unpack(">I", p[:4])[0] for p in real})

expect = {k: 0 for k in ("drop-empty", "drop-bad_keepalive", "drop-truncated_spi", "drop-truncated_esp",
                         "drop-truncated_ike", "drop-reserved_spi", "drop-unknown_spi", "drop-truncated",
                         "drop-replayed", "drop-bad_icv", "drop-oversized", "ike")}
sent = {}


def classify(d):
    """The status key the gateway must count for datagram d (port-4500 demux, then SAD, then ESP)."""
    n = len(d)
    if n >= SLOT:
        return "drop-oversized"  # filled the receive slot: maybe cut short, so never decrypted
    if n == 0:
        return "drop-empty"
    if n == 1:
        return "keepalives" if d[0] == 0xFF else "drop-bad_keepalive"
    if n < 4:
        return "drop-truncated_spi"
    spi = struct.unpack(">I", d[:4])[0]
    if spi == 0:
        return "ike" if n >= 4 + 28 else "drop-truncated_ike"
    if n < 8:
        return "drop-truncated_esp"
    if spi <= 255:
        return "drop-reserved_spi"
    if spi not in known:
        return "drop-unknown_spi"
    return "drop-truncated" if min(n, SLOT) < ESP_MIN else None  # None: depends on the ESP state


def unknown_spi():
    while True:
        spi = rng.randrange(256, 1 << 32)
        if spi not in known:
            return spi


fresh = [0x40000000]


def forged_header():
    """A known SPI and a sequence number far ahead of any real one: passes the replay check."""
    fresh[0] += 1
    return struct.pack(">II", rng.choice(known), fresh[0])


batches = []


def add(kind, datagrams, key=None):
    for d in datagrams:
        k = key or classify(d)
        expect[k] = expect.get(k, 0) + 1
    sent[kind] = len(datagrams)
    batches.append(datagrams)


randoms = []
for _ in range(count):
    d = bytearray(rng.randbytes(rng.randint(0, 2000)))
    if len(d) == 1 and d[0] == 0xFF:
        d[0] = 0xFE  # a keepalive is legal; the peer sends real ones, so keep the count exact
    if len(d) >= 8 and struct.unpack(">I", d[:4])[0] in known:
        d[:4] = struct.pack(">I", unknown_spi())
    randoms.append(bytes(d))
add("random", randoms)
add("truncated-esp", [forged_header() + rng.randbytes(rng.randint(0, ESP_MIN - 9)) for _ in range(500)])
add("truncated-header", [forged_header()[:rng.randint(4, 7)] for _ in range(100)])
add("unknown-spi", [struct.pack(">II", unknown_spi(), rng.randrange(1, 1 << 32))
                    + rng.randbytes(rng.randint(ESP_MIN - 8, 1400)) for _ in range(500)])
add("forged", [forged_header() + rng.randbytes(rng.randint(ESP_MIN - 8, 1400)) for _ in range(500)],
    "drop-bad_icv")
add("replayed", real, "drop-replayed")
# Oversized: fragmented on the wire, reassembled by the receiver's kernel, cut to the receive slot,
# and dropped as oversized before any lookup.
add("oversized-unknown-spi", [struct.pack(">II", unknown_spi(), 1) + rng.randbytes(rng.randint(SLOT, 9000 - 8))
                              for _ in range(50)])
add("oversized-forged", [forged_header() + rng.randbytes(rng.randint(SLOT, 9000 - 8)) for _ in range(50)])

s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 1 << 20)
start = time.monotonic()
total = 0
for batch in batches:
    for d in batch:
        s.sendto(d, (addr, port))
        total += 1
        if total % 32 == 0:
            time.sleep(0.001)  # about 30k datagrams/s: the receiver's socket buffer never overflows
for k, v in sent.items():
    print("sent", k, v)
print("sent total", total)
print("seconds", round(time.monotonic() - start, 3))
print("known-spis", " ".join("0x%x" % spi for spi in known))
for k, v in sorted(expect.items()):
    print("expect", k, v)
PYTHON
}
