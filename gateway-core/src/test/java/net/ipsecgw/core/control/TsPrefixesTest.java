package net.ipsecgw.core.control;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.math.BigInteger;
import java.net.InetAddress;
import java.util.List;
import java.util.Random;
import net.ipsecgw.core.spd.IpPrefix;
import net.ipsecgw.core.spd.TrafficSelector;
import net.ipsecgw.ike.dataplane.TsRange;
import org.junit.jupiter.api.Test;

/**
 * Proves that IKE traffic selectors become SPD selectors: each address range turns into the smallest
 * set of aligned prefixes covering exactly it, and protocol and port ranges go where the SPD checks them.
 */
class TsPrefixesTest {

    @Test
    void alignedRangeIsOnePrefix() {
        assertEquals(List.of(IpPrefix.parse("10.0.0.0/24")), TsPrefixes.prefixes(range("10.0.0.0", "10.0.0.255")));
        assertEquals(List.of(IpPrefix.parse("10.0.0.0/23")), TsPrefixes.prefixes(range("10.0.0.0", "10.0.1.255")));
    }

    @Test
    void singleAddressIsAHostPrefix() {
        assertEquals(List.of(IpPrefix.parse("192.0.2.7/32")), TsPrefixes.prefixes(range("192.0.2.7", "192.0.2.7")));
        assertEquals(
                List.of(IpPrefix.parse("2001:db8::7/128")), TsPrefixes.prefixes(range("2001:db8::7", "2001:db8::7")));
    }

    @Test
    void wholeAddressSpaceIsTheDefaultPrefix() {
        assertEquals(List.of(IpPrefix.parse("0.0.0.0/0")), TsPrefixes.prefixes(range("0.0.0.0", "255.255.255.255")));
        assertEquals(
                List.of(IpPrefix.parse("::/0")),
                TsPrefixes.prefixes(range("::", "ffff:ffff:ffff:ffff:ffff:ffff:ffff:ffff")));
    }

    @Test
    void unalignedRangeSplitsIntoTheFewestPrefixes() {
        assertEquals(
                List.of(
                        IpPrefix.parse("10.0.0.1/32"),
                        IpPrefix.parse("10.0.0.2/31"),
                        IpPrefix.parse("10.0.0.4/31"),
                        IpPrefix.parse("10.0.0.6/32")),
                TsPrefixes.prefixes(range("10.0.0.1", "10.0.0.6")));
        // 10.0.0.5 - 10.0.3.250: /32 /31 /29 /28 /27 /26 /25 up to 10.0.1.0, two /24s, then
        // /25 /26 /27 /28 /29 /31 /32 down to the last address
        List<IpPrefix> prefixes = TsPrefixes.prefixes(range("10.0.0.5", "10.0.3.250"));
        assertEquals(16, prefixes.size());
        assertEquals(IpPrefix.parse("10.0.1.0/24"), prefixes.get(7));
        assertEquals(IpPrefix.parse("10.0.2.0/24"), prefixes.get(8));
        assertEquals(IpPrefix.parse("10.0.3.250/32"), prefixes.getLast());
    }

    @Test
    void prefixesCoverExactlyTheRangeInOrderForRandomRanges() throws Exception {
        Random random = new Random(7);
        for (int i = 0; i < 500; i++) {
            long a = random.nextLong(1L << 32);
            long b = random.nextLong(1L << 32);
            long start = Math.min(a, b);
            long end = Math.max(a, b);
            BigInteger next = BigInteger.valueOf(start);
            for (IpPrefix prefix : TsPrefixes.prefixes(range(v4(start), v4(end)))) {
                BigInteger network = new BigInteger(1, prefix.network());
                assertEquals(next, network, "contiguous");
                int hostBits = 32 - prefix.length();
                assertTrue(network.getLowestSetBit() >= hostBits || network.signum() == 0, "aligned " + prefix);
                next = network.add(BigInteger.ONE.shiftLeft(hostBits));
            }
            assertEquals(BigInteger.valueOf(end + 1), next, "ends at the range's last address");
        }
    }

    @Test
    void outboundSelectorsCarryTheProtocolAndTheRemotePorts() throws Exception {
        TsRange local = new TsRange(addr("10.1.0.0"), addr("10.1.255.255"), 6, 0, 65535);
        TsRange remote = new TsRange(addr("10.2.0.0"), addr("10.2.0.255"), 6, 443, 443);

        assertEquals(
                List.of(new TrafficSelector(IpPrefix.parse("10.1.0.0/16"), IpPrefix.parse("10.2.0.0/24"), 6, 443, 443)),
                TsPrefixes.outbound(List.of(local), List.of(remote)));
        assertEquals(
                List.of(new TrafficSelector(IpPrefix.parse("10.2.0.0/24"), IpPrefix.parse("10.1.0.0/16"), 6, 0, 65535)),
                TsPrefixes.inbound(List.of(local), List.of(remote)),
                "inbound: from remote to local, checking our (local) ports");
    }

    @Test
    void anyProtocolOnOneSideTakesTheOtherSidesProtocol() throws Exception {
        TsRange local = range("10.1.0.0", "10.1.0.255");
        TsRange remote = new TsRange(addr("10.2.0.0"), addr("10.2.0.255"), 17, 53, 53);

        assertEquals(
                17,
                TsPrefixes.outbound(List.of(local), List.of(remote)).getFirst().protocol());
    }

    @Test
    void pairsOfDifferentProtocolsOrFamiliesMatchNothingAndAreLeftOut() throws Exception {
        TsRange tcp = new TsRange(addr("10.1.0.0"), addr("10.1.0.255"), 6, 0, 65535);
        TsRange udp = new TsRange(addr("10.2.0.0"), addr("10.2.0.255"), 17, 0, 65535);
        TsRange v6 = range("2001:db8::", "2001:db8::ffff");

        assertEquals(List.of(), TsPrefixes.outbound(List.of(tcp), List.of(udp)));
        assertEquals(List.of(), TsPrefixes.outbound(List.of(tcp), List.of(v6)));
    }

    private static TsRange range(String start, String end) {
        return new TsRange(addr(start), addr(end), 0, 0, 65535);
    }

    private static InetAddress addr(String literal) {
        try {
            return InetAddress.getByName(literal);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalArgumentException(e);
        }
    }

    private static String v4(long address) {
        return (address >>> 24) + "." + (address >>> 16 & 0xFF) + "." + (address >>> 8 & 0xFF) + "." + (address & 0xFF);
    }
}
