#!/usr/bin/env python3
"""Independent vectors for EncapsulationPortsTest.

Recomputes the encapsulation source-port assignment described in EncapsulationPorts' javadoc with
a SipHash-2-4 that is not ours: the C implementation in Debian's python3-siphashc package
(apt-get install python3-siphashc; run with the Debian python3 that package installs into). Prints Java array literals
that were pasted into EncapsulationPortsTest once; rerun to check them.
"""
import siphashc

MAX_HASH_PROBES = 64
EXCLUDED = (500, 4500)

# The SipHash paper's own test (Appendix A) first, so a wrong library cannot go unnoticed.
assert siphashc.siphash(bytes(range(16)), bytes(range(15))) == 0xA129CA6149BE45E5


def candidate(key, first, last, lane, probe):
    h = siphashc.siphash(key, lane.to_bytes(4, "little") + probe.to_bytes(4, "little"))
    folded = (h ^ (h >> 32)) & 0xFFFFFFFF
    return first + ((folded * (last - first + 1)) >> 32)


def assign(key, first, last, lanes):
    """Returns (ports by lane, how many lanes needed the linear fallback)."""
    taken = []
    linear = 0
    for lane in range(lanes):
        def free(p):
            return first <= p <= last and p not in EXCLUDED and p not in taken
        port = first
        for probe in range(MAX_HASH_PROBES):
            port = candidate(key, first, last, lane, probe)
            if free(port):
                break
        else:
            linear += 1
            while not free(port):
                port = first if port == last else port + 1
        taken.append(port)
    return taken, linear


CASES = [
    ("key 00..0f, default range, 8 lanes", bytes(range(16)), 49152, 65535, 8),
    ("key 'ipsecgw-natt-key', default range, 4 lanes", b"ipsecgw-natt-key", 49152, 65535, 4),
    ("key 00..0f, range 4490-4510 holding 4500, 20 lanes (full)", bytes(range(16)), 4490, 4510, 20),
    ("key ff..f0, range 400-600 holding 500, 32 lanes", bytes(range(255, 239, -1)), 400, 600, 32),
    ("key 00..0f, range 1000-1099, 100 lanes (full)", bytes(range(16)), 1000, 1099, 100),
]

for name, key, first, last, lanes in CASES:
    ports, linear = assign(key, first, last, lanes)
    print("// %s; %d lane(s) needed the linear fallback" % (name, linear))
    print("{" + ", ".join(str(p) for p in ports) + "}")
