#!/usr/bin/env python3
"""UDP traffic for the packet-rate benchmarks, sent and received the way a modern UDP application
(QUIC, a media server) does it on Linux: the sender hands the kernel runs of equal-sized datagrams in
one sendmsg with UDP_SEGMENT (UDP GSO), the sink takes them back coalesced with UDP_GRO.

  udp_gso.py send HOST PORT --size 1372 --segments 44 --seconds 5 [--pps N]
      prints the datagrams sent; --pps paces the sender (0: as fast as the socket takes them)
  udp_gso.py sink PORT --seconds 8
      prints the datagrams received, counted by the segment size the kernel reports for each read

Each datagram's payload is --size bytes (1372 + 8 UDP + 20 IPv4 = 1400-byte IP packets).
"""
import argparse
import math
import socket
import struct
import sys
import time

UDP_SEGMENT = 103
UDP_GRO = 104


def send(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.IPPROTO_UDP, UDP_SEGMENT, args.size)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_SNDBUF, 4 << 20)
    run = bytes(args.size * args.segments)
    target = (args.host, args.port)
    sent = 0
    start = time.monotonic()
    end = start + args.seconds
    interval = args.segments / args.pps if args.pps else 0.0
    due = start
    while True:
        now = time.monotonic()
        if now >= end:
            break
        if interval:
            if now < due:
                time.sleep(min(due - now, end - now))
                continue
            due += interval
        try:
            s.sendto(run, target)
            sent += args.segments
        except (BlockingIOError, OSError):
            pass  # a full queue or an ICMP error surfaced: the benchmark only counts what was sent
    print(sent)


def sink(args):
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 8 << 20)
    s.setsockopt(socket.IPPROTO_UDP, UDP_GRO, 1)
    s.bind(("0.0.0.0", args.port))
    s.settimeout(0.2)
    received = 0
    end = time.monotonic() + args.seconds
    cmsg_space = socket.CMSG_SPACE(4)
    while time.monotonic() < end:
        try:
            data, ancillary, _, _ = s.recvmsg(65535, cmsg_space)
        except socket.timeout:
            continue
        segment = len(data)
        for level, kind, value in ancillary:
            if level == socket.IPPROTO_UDP and kind == UDP_GRO:
                segment = struct.unpack("i", value[:4])[0] or len(data)
        received += math.ceil(len(data) / segment) if segment else 1
    print(received)


def main():
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    sub = parser.add_subparsers(dest="mode", required=True)
    p = sub.add_parser("send")
    p.add_argument("host")
    p.add_argument("port", type=int)
    p.add_argument("--size", type=int, default=1372)
    p.add_argument("--segments", type=int, default=44)
    p.add_argument("--seconds", type=float, default=5)
    p.add_argument("--pps", type=int, default=0)
    p.set_defaults(run=send)
    k = sub.add_parser("sink")
    k.add_argument("port", type=int)
    k.add_argument("--seconds", type=float, default=8)
    k.set_defaults(run=sink)
    args = parser.parse_args()
    args.run(args)


if __name__ == "__main__":
    sys.exit(main())
