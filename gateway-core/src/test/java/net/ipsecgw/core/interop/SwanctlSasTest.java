package net.ipsecgw.core.interop;

import static org.junit.jupiter.api.Assertions.assertAll;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import org.junit.jupiter.api.Test;

class SwanctlSasTest {
    // swanctl --list-sas --raw of strongSwan 5.9.8 (Debian 12) on the lab's gateway A, one second after
    // a CHILD_SA rekey: the old CHILD_SA lingers as DELETED.
    private static final String AFTER_CHILD_REKEY = "list-sa event {gw {uniqueid=1 version=2 state=ESTABLISHED"
            + " local-host=10.201.0.1 local-port=4500 local-id=10.201.0.1 remote-host=10.201.0.2 remote-port=4500"
            + " remote-id=10.201.0.2 initiator=yes initiator-spi=c25145b0561041c8 responder-spi=54f5d486fbd9c7a9"
            + " nat-remote=yes nat-any=yes encr-alg=AES_GCM_16 encr-keysize=128 prf-alg=PRF_HMAC_SHA2_256"
            + " dh-group=CURVE_25519 established=1 rekey-time=13921 child-sas {net-1 {name=net uniqueid=1 reqid=1"
            + " state=DELETED mode=TUNNEL protocol=ESP encap=yes spi-in=2acd388d spi-out=14b4f3e5"
            + " encr-alg=AES_GCM_16 encr-keysize=128 bytes-in=84 packets-in=1 use-in=1 bytes-out=84 packets-out=1"
            + " use-out=1 rekey-time=3437 life-time=3959 install-time=1 local-ts=[10.201.1.0/24]"
            + " remote-ts=[10.201.2.0/24]} net-2 {name=net uniqueid=2 reqid=1 state=INSTALLED mode=TUNNEL"
            + " protocol=ESP encap=yes spi-in=e853d76f spi-out=78b5f939 encr-alg=AES_GCM_16 encr-keysize=128"
            + " bytes-in=0 packets-in=0 bytes-out=0 packets-out=0 rekey-time=3301 life-time=3959 install-time=1"
            + " local-ts=[10.201.1.0/24] remote-ts=[10.201.2.0/24]}}}}\nlist-sas reply {}\n";

    @Test
    void parsesIkeSaWithBothChildSasOfARekey() {
        List<SwanctlSas.IkeSa> sas = SwanctlSas.parse(AFTER_CHILD_REKEY);
        assertEquals(1, sas.size());
        SwanctlSas.IkeSa ike = sas.getFirst();
        SwanctlSas.ChildSa old = ike.children().get(0);
        SwanctlSas.ChildSa current = ike.installed().getFirst();
        assertAll(
                () -> assertEquals("gw", ike.name()),
                () -> assertEquals("ESTABLISHED", ike.state()),
                () -> assertEquals(4500, ike.localPort()),
                () -> assertEquals(4500, ike.remotePort()),
                () -> assertEquals("10.201.0.2", ike.remoteId()),
                () -> assertTrue(ike.initiator() && ike.natRemote()),
                () -> assertEquals("c25145b0561041c8", ike.initiatorSpi()),
                () -> assertEquals("CURVE_25519", ike.dhGroup()),
                () -> assertEquals(128, ike.keySize()),
                () -> assertEquals(2, ike.children().size()),
                () -> assertEquals("DELETED", old.state()),
                () -> assertEquals(84, old.bytesIn()),
                () -> assertEquals(1, old.packetsOut()),
                () -> assertEquals(2, current.uniqueId()),
                () -> assertEquals(0xe853d76fL, current.spiIn()),
                () -> assertEquals(0x78b5f939L, current.spiOut()),
                () -> assertTrue(current.encap()),
                () -> assertEquals(List.of("10.201.1.0/24"), current.localTs()),
                () -> assertEquals(List.of("10.201.2.0/24"), current.remoteTs()),
                () -> assertEquals("3301", current.fields().get("rekey-time")));
    }

    @Test
    void noSasIsAnEmptyList() {
        assertEquals(List.of(), SwanctlSas.parse("list-sas reply {}\n"));
    }

    @Test
    void listsWithSeveralSelectorsAndValuesWithEqualsSigns() {
        String raw = "list-sa event {a {uniqueid=3 local-id=C=CH,CN=x child-sas {c-1 {name=c"
                + " local-ts=[10.0.0.0/8 192.168.0.0/16] remote-ts=[]}}}}";
        SwanctlSas.IkeSa ike = SwanctlSas.parse(raw).getFirst();
        assertEquals("C=CH,CN=x", ike.localId());
        assertEquals(
                List.of("10.0.0.0/8", "192.168.0.0/16"),
                ike.children().getFirst().localTs());
        assertEquals(List.of(), ike.children().getFirst().remoteTs());
    }

    @Test
    void rejectsATruncatedLine() {
        assertThrows(IllegalArgumentException.class, () -> SwanctlSas.parse("list-sa event {gw {uniqueid=1"));
    }
}
