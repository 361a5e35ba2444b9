#!/usr/bin/env python3
"""Turns capture.sh output into a vector file: every IKE datagram of ike.pcap as hex, and for the
encrypted ones the SK_e key (key || 4-byte salt) that decrypts them, found by trial decryption with
the Sk_ei/Sk_er values charon logged (ike=4). Usage: extract.py OUTDIR TITLE > vectors.txt"""
import re, struct, sys
from cryptography.hazmat.primitives.ciphers.aead import AESGCM, ChaCha20Poly1305

EXCHANGES = {34: "IKE_SA_INIT", 35: "IKE_AUTH", 36: "CREATE_CHILD_SA", 37: "INFORMATIONAL"}

def datagrams(path):
    data = open(path, "rb").read()
    pos = 24
    while pos + 16 <= len(data):
        incl = struct.unpack_from("<I", data, pos + 8)[0]
        frame = data[pos + 16: pos + 16 + incl]
        pos += 16 + incl
        ip = frame[14:]
        ihl = (ip[0] & 15) * 4
        src = ".".join(map(str, ip[12:16]))
        dst = ".".join(map(str, ip[16:20]))
        sport, dport = struct.unpack_from(">HH", ip, ihl)
        payload = ip[ihl + 8:]
        if 4500 in (sport, dport):
            if payload[:4] != b"\0\0\0\0":
                continue  # NAT-T keepalive
            payload = payload[4:]
        yield src, sport, dst, dport, payload

def keys(outdir):
    found = []
    for side in "ab":
        lines = open(f"{outdir}/{side}/run/charon.log").read().splitlines()
        for i, line in enumerate(lines):
            m = re.search(r"(Sk_e[ir]) secret => (\d+) bytes", line)
            if not m:
                continue
            hexes = ""
            for follow in lines[i + 1:i + 1 + (int(m.group(2)) + 15) // 16]:
                hexes += "".join(re.findall(r"\b([0-9A-F]{2})\b", follow.split(": ", 1)[1][:48]))
            found.append(bytes.fromhex(hexes))
    return list(dict.fromkeys(found))

def sk_offset(msg):
    """Offset of the SK/SKF generic payload header, or None."""
    nxt, pos = msg[16], 28
    while nxt not in (0, 46, 53):
        nxt, length = msg[pos], struct.unpack_from(">H", msg, pos + 2)[0]
        pos += length
    return None if nxt == 0 else (nxt, pos)

def decrypts(msg, nxt, pos, key):
    hdr = 8 if nxt == 53 else 4
    length = struct.unpack_from(">H", msg, pos + 2)[0]
    iv = msg[pos + hdr: pos + hdr + 8]
    ct = msg[pos + hdr + 8: pos + length]
    aad = msg[:pos + hdr]
    for name, cls in (("20", AESGCM), ("28", ChaCha20Poly1305)):
        try:
            cls(key[:-4]).decrypt(key[-4:] + iv, ct, aad)
            return name
        except Exception:
            pass
    return None

def main():
    outdir, title = sys.argv[1], sys.argv[2]
    candidates = keys(outdir)
    print(f"# {title}")
    print("# Produced by capture.sh and extract.py in this directory; see README.md.")
    for n, (src, sport, dst, dport, msg) in enumerate(datagrams(f"{outdir}/ike.pcap")):
        exchange = EXCHANGES.get(msg[18], str(msg[18]))
        kind = "response" if msg[19] & 0x20 else "request"
        mid = struct.unpack_from(">I", msg, 20)[0]
        print()
        print(f"name = {n:02d} {exchange} {kind} {mid} {src}:{sport} -> {dst}:{dport}")
        sk = sk_offset(msg)
        if sk:
            for key in candidates:
                encr = decrypts(msg, *sk, key)
                if encr:
                    print(f"encr = {encr}")
                    print(f"sk_e = {key.hex()}")
                    break
            else:
                print("# no logged key decrypts this message")
        print(f"hex = {msg.hex()}")

main()
