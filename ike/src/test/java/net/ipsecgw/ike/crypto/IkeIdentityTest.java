package net.ipsecgw.ike.crypto;

import static net.ipsecgw.ike.crypto.Hex.bytes;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.List;
import javax.security.auth.x500.X500Principal;
import net.ipsecgw.ike.crypto.pki.CertificateAuthority;
import net.ipsecgw.ike.crypto.pki.IssuedCertificate;
import net.ipsecgw.ike.crypto.pki.KeyKind;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class IkeIdentityTest {
    static IssuedCertificate gateway;

    @BeforeAll
    static void issue() {
        CertificateAuthority ca = CertificateAuthority.create(
                "C=CH, O=Example, CN=Example Root CA", KeyKind.ECDSA_P256, Duration.ofDays(30), new SecureRandom());
        gateway = ca.issue(
                "C=CH, O=Example, CN=gw-a",
                List.of("dns:gw-a.example.net", "ip:192.0.2.1", "ip:2001:db8::1", "email:admin@example.net"),
                KeyKind.ECDSA_P256,
                Duration.ofDays(1));
    }

    @Test
    void parsesEachTypeTheWayStrongswanDoes() {
        assertIdentity(IkeIdentity.ID_IPV4_ADDR, bytes("0a000001"), "10.0.0.1");
        assertIdentity(IkeIdentity.ID_IPV6_ADDR, bytes("20010db8000000000000000000000001"), "2001:db8::1");
        assertIdentity(IkeIdentity.ID_FQDN, ascii("gw-a.example.net"), "gw-a.example.net");
        assertIdentity(IkeIdentity.ID_FQDN, ascii("gw-a.example.net"), "@gw-a.example.net");
        assertIdentity(IkeIdentity.ID_RFC822_ADDR, ascii("user@example.net"), "user@example.net");
        assertIdentity(IkeIdentity.ID_RFC822_ADDR, ascii("user@example.net"), "@@user@example.net");
        assertIdentity(IkeIdentity.ID_KEY_ID, bytes("0102abcd"), "@#0102abcd");
        assertIdentity(IkeIdentity.ID_KEY_ID, bytes("0102abcd"), "keyid:#0102abcd");
        assertIdentity(IkeIdentity.ID_FQDN, ascii("10.0.0.1"), "fqdn:10.0.0.1");
        assertIdentity(IkeIdentity.ID_RFC822_ADDR, ascii("user@example.net"), "email:user@example.net");
        assertSame(IkeIdentity.ANY, IkeIdentity.parse("%any"));
    }

    /** The DN is encoded in the order written, which is DER order: C first, as strongSwan does. */
    @Test
    void parsesDistinguishedNamesInWrittenOrder() {
        IkeIdentity dn = IkeIdentity.parse("C=CH, O=Example, CN=gw-a");

        assertEquals(IkeIdentity.ID_DER_ASN1_DN, dn.idType());
        assertEquals(new X500Principal("CN=gw-a, O=Example, C=CH"), new X500Principal(dn.data()));
        assertEquals(gateway.certificate().getSubjectX500Principal(), new X500Principal(dn.data()));
    }

    @ParameterizedTest
    @ValueSource(
            strings = {
                "%any",
                "10.0.0.1",
                "2001:db8::1",
                "::1",
                "fe80::",
                "2001:db8:0:1:1:1:1:1",
                "2001:0:0:1::1",
                "gw-a.example.net",
                "user@example.net",
                "C=CH, O=Example, CN=gw-a",
                "C=CH, O=Example Inc., OU=Ops+OU=VPN, CN=gw-a.example.net",
                "@#0102abcd",
                "fqdn:10.0.0.1",
                "rfc822:a=b@example.net"
            })
    void writesWhatItReads(String text) {
        assertEquals(text, IkeIdentity.parse(text).toString());
        assertEquals(
                IkeIdentity.parse(text),
                IkeIdentity.parse(IkeIdentity.parse(text).toString()));
    }

    @ParameterizedTest
    @CsvSource(
            delimiter = '|',
            value = {
                "2001:0db8:0000:0000:0000:0000:0000:0001 | 2001:db8::1",
                "2001:db8:0:0:1:0:0:1 | 2001:db8::1:0:0:1",
                "0:0:0:0:0:0:0:0 | ::",
                "ipv6:2001:DB8::AB | 2001:db8::ab"
            })
    void writesIpv6AsRfc5952Says(String input, String expected) {
        assertEquals(expected, IkeIdentity.parse(input).toString());
    }

    @Test
    void refusesMalformedInput() {
        assertThrows(IllegalArgumentException.class, () -> IkeIdentity.parse(" "));
        assertThrows(IllegalArgumentException.class, () -> IkeIdentity.parse("10.0.0.300"));
        assertThrows(IllegalArgumentException.class, () -> IkeIdentity.parse("2001:db8::g"));
        assertThrows(IllegalArgumentException.class, () -> IkeIdentity.parse("XX=1, CN=a"));
        assertThrows(IllegalArgumentException.class, () -> new IkeIdentity(IkeIdentity.ID_IPV4_ADDR, new byte[5]));
    }

    @Test
    void anyMatchesEverything() {
        for (String presented : List.of("10.0.0.1", "2001:db8::1", "gw-a.example.net", "a@b", "CN=x", "@#00")) {
            assertTrue(IkeIdentity.ANY.matches(IkeIdentity.parse(presented)), presented);
        }
    }

    @Test
    void matchesEqualIdentitiesOfTheSameType() {
        assertTrue(id("10.0.0.1").matches(id("10.0.0.1")));
        assertFalse(id("10.0.0.1").matches(id("10.0.0.2")));
        assertTrue(id("2001:db8::1").matches(id("2001:0db8::0001")));
        assertTrue(id("gw-a.example.net").matches(id("GW-A.Example.NET")));
        assertFalse(id("gw-a.example.net").matches(id("gw-b.example.net")));
        assertTrue(id("user@example.net").matches(id("User@Example.net")));
        assertTrue(id("@#0102").matches(id("keyid:#0102")));
        assertFalse(id("@#0102").matches(id("@#0103")));
        assertTrue(id("C=CH, O=Example, CN=gw-a").matches(id("C=CH,O=Example,CN=gw-a")));
        assertTrue(id("C=CH, O=Example, CN=gw-a").matches(id("C=ch, O=example, CN=GW-A")));
        assertFalse(id("C=CH, O=Example, CN=gw-a").matches(id("CN=gw-a, O=Example, C=CH")));
    }

    @Test
    void doesNotMatchAcrossTypes() {
        assertFalse(id("10.0.0.1").matches(id("fqdn:10.0.0.1")));
        assertFalse(id("user@example.net").matches(id("fqdn:user@example.net")));
        assertFalse(id("gw-a.example.net").matches(IkeIdentity.ANY));
    }

    @Test
    void matchesWildcards() {
        assertTrue(id("*.example.net").matches(id("gw-a.example.net")));
        assertFalse(id("*.example.net").matches(id("gw-a.example.org")));
        assertTrue(id("*@example.net").matches(id("carol@example.net")));
        assertFalse(id("*@example.net").matches(id("carol@example.org")));
        assertTrue(id("C=CH, O=Example, CN=*").matches(id("C=CH, O=Example, CN=carol")));
        assertFalse(id("C=CH, O=Example, CN=*").matches(id("C=CH, O=Other, CN=carol")));
        assertFalse(id("C=CH, O=Example, CN=*").matches(id("C=CH, O=Example, OU=x, CN=carol")));
    }

    @Test
    void isCoveredByTheCertificateSubjectAndAltNames() {
        var cert = gateway.certificate();
        assertTrue(id("C=CH, O=Example, CN=gw-a").isCoveredBy(cert));
        assertFalse(id("C=CH, O=Example, CN=gw-b").isCoveredBy(cert));
        assertTrue(id("gw-a.example.net").isCoveredBy(cert));
        assertTrue(id("GW-A.example.net").isCoveredBy(cert));
        assertFalse(id("gw-b.example.net").isCoveredBy(cert));
        assertTrue(id("192.0.2.1").isCoveredBy(cert));
        assertFalse(id("192.0.2.2").isCoveredBy(cert));
        assertTrue(id("2001:db8::1").isCoveredBy(cert));
        assertFalse(id("2001:db8::2").isCoveredBy(cert));
        assertTrue(id("admin@example.net").isCoveredBy(cert));
        assertFalse(id("root@example.net").isCoveredBy(cert));
        assertTrue(IkeIdentity.ANY.isCoveredBy(cert));
        // The FQDN is not the CN: only subjectAltNames vouch for FQDNs.
        assertFalse(id("gw-a").isCoveredBy(cert));
    }

    @Test
    void keyIdIsCoveredByTheSubjectKeyIdentifier() {
        byte[] extension = gateway.certificate().getExtensionValue("2.5.29.14");
        byte[] keyId = java.util.Arrays.copyOfRange(extension, 4, extension.length); // OCTET STRING in OCTET STRING
        assertTrue(new IkeIdentity(IkeIdentity.ID_KEY_ID, keyId).isCoveredBy(gateway.certificate()));
        assertFalse(id("@#0102").isCoveredBy(gateway.certificate()));
    }

    @Test
    void dataIsCopied() {
        byte[] data = bytes("0a000001");
        IkeIdentity identity = new IkeIdentity(IkeIdentity.ID_IPV4_ADDR, data);
        data[0] = 99;
        identity.data()[1] = 99;
        assertArrayEquals(bytes("0a000001"), identity.data());
    }

    private static void assertIdentity(int type, byte[] data, String text) {
        IkeIdentity identity = IkeIdentity.parse(text);
        assertEquals(type, identity.idType(), text);
        assertArrayEquals(data, identity.data(), text);
    }

    private static IkeIdentity id(String text) {
        return IkeIdentity.parse(text);
    }

    private static byte[] ascii(String text) {
        return text.getBytes(StandardCharsets.US_ASCII);
    }
}
