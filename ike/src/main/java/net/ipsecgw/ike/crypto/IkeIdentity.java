package net.ipsecgw.ike.crypto;

import java.io.IOException;
import java.net.Inet4Address;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.nio.charset.StandardCharsets;
import java.security.cert.CertificateParsingException;
import java.security.cert.X509Certificate;
import java.util.Arrays;
import java.util.Collection;
import java.util.HexFormat;
import java.util.List;
import java.util.Locale;
import java.util.regex.Pattern;
import org.bouncycastle.asn1.ASN1Encoding;
import org.bouncycastle.asn1.ASN1OctetString;
import org.bouncycastle.asn1.x500.AttributeTypeAndValue;
import org.bouncycastle.asn1.x500.RDN;
import org.bouncycastle.asn1.x500.X500Name;
import org.bouncycastle.asn1.x500.style.BCStyle;
import org.bouncycastle.asn1.x500.style.IETFUtils;

/**
 * The identity of an ID payload (RFC 7296 §3.5): the IANA "IKEv2 Identification Payload ID Types" number
 * and the identification data, plus {@link #ANY} for a configuration that accepts any peer.
 *
 * <p>{@link #parse} reads configuration strings the way strongSwan's swanctl writes them: {@code %any};
 * an IPv4 or IPv6 literal; {@code @name} (FQDN), {@code @@user@domain} (RFC822), {@code @#hex} (KEY_ID);
 * a string with {@code =} as a distinguished name in the order written, which is DER order ({@code C=CH,
 * O=Example, CN=gw-a}); a string with {@code @} as an RFC822 address; anything else as an FQDN; and the
 * explicit prefixes {@code ipv4:}, {@code ipv6:}, {@code fqdn:}, {@code email:}, {@code rfc822:}, {@code
 * asn1dn:} and {@code keyid:}. {@link #toString()} writes the same syntax, so {@code parse(id.toString())}
 * gives {@code id} back for the types parse knows.
 *
 * <p>Immutable and thread-safe; {@link #data()} returns a copy.
 *
 * @param idType the ID type number (1 IPv4, 2 FQDN, 3 RFC822, 5 IPv6, 9 DER_ASN1_DN, 11 KEY_ID; 0 for ANY)
 * @param data the identification data as carried in the ID payload
 */
public record IkeIdentity(int idType, byte[] data) {
    /** ID_IPV4_ADDR. */
    public static final int ID_IPV4_ADDR = 1;
    /** ID_FQDN. */
    public static final int ID_FQDN = 2;
    /** ID_RFC822_ADDR. */
    public static final int ID_RFC822_ADDR = 3;
    /** ID_IPV6_ADDR. */
    public static final int ID_IPV6_ADDR = 5;
    /** ID_DER_ASN1_DN. */
    public static final int ID_DER_ASN1_DN = 9;
    /** ID_KEY_ID. */
    public static final int ID_KEY_ID = 11;

    /** {@code %any}: matches every presented identity. Type 0 is reserved, so it never goes on the wire. */
    public static final IkeIdentity ANY = new IkeIdentity(0, new byte[0]);

    private static final Pattern DOTTED_QUAD = Pattern.compile("\\d{1,3}(\\.\\d{1,3}){3}");

    /** Copies {@code data}; address types must have 4 or 16 octets. */
    public IkeIdentity {
        data = data.clone();
        if ((idType == ID_IPV4_ADDR && data.length != 4) || (idType == ID_IPV6_ADDR && data.length != 16)) {
            throw new IllegalArgumentException("ID type " + idType + " with " + data.length + " octets");
        }
    }

    /** A copy of the identification data. */
    @Override
    public byte[] data() {
        return data.clone();
    }

    /** An identity of type {@code idType} whose data is {@code text} in ASCII/UTF-8 (FQDN, RFC822). */
    public static IkeIdentity ofText(int idType, String text) {
        return new IkeIdentity(idType, text.getBytes(StandardCharsets.UTF_8));
    }

    /** The IPv4 or IPv6 identity of {@code address}. */
    public static IkeIdentity of(InetAddress address) {
        return new IkeIdentity(address instanceof Inet4Address ? ID_IPV4_ADDR : ID_IPV6_ADDR, address.getAddress());
    }

    /**
     * Reads a configuration string (see the class comment).
     *
     * @throws IllegalArgumentException for an empty string, a malformed address or distinguished name
     */
    public static IkeIdentity parse(String text) {
        String s = text.strip();
        if (s.isEmpty()) {
            throw new IllegalArgumentException("empty identity");
        }
        if (s.equals("%any") || s.equals("%any6")) {
            return ANY;
        }
        IkeIdentity prefixed = parsePrefixed(s);
        if (prefixed != null) {
            return prefixed;
        }
        if (s.startsWith("@#")) {
            return new IkeIdentity(ID_KEY_ID, hex(s.substring(2)));
        }
        if (s.startsWith("@@")) {
            return ofText(ID_RFC822_ADDR, s.substring(2));
        }
        if (s.startsWith("@")) {
            return ofText(ID_FQDN, s.substring(1));
        }
        return parseUntyped(s);
    }

    private static IkeIdentity parsePrefixed(String s) {
        int colon = s.indexOf(':');
        String prefix = colon < 0 ? "" : s.substring(0, colon).toLowerCase(Locale.ROOT);
        String rest = colon < 0 ? "" : s.substring(colon + 1);
        return switch (prefix) {
            case "ipv4" -> of(Inet4Address.ofLiteral(rest));
            case "ipv6" -> of(Inet6Address.ofLiteral(rest));
            case "fqdn" -> ofText(ID_FQDN, rest);
            case "email", "rfc822", "userfqdn" -> ofText(ID_RFC822_ADDR, rest);
            case "asn1dn" -> distinguishedName(rest);
            case "keyid" -> new IkeIdentity(ID_KEY_ID, rest.startsWith("#") ? hex(rest.substring(1)) : utf8(rest));
            default -> null;
        };
    }

    private static IkeIdentity parseUntyped(String s) {
        if (s.contains("=")) {
            return distinguishedName(s);
        }
        if (DOTTED_QUAD.matcher(s).matches()) {
            return of(Inet4Address.ofLiteral(s));
        }
        if (s.contains(":")) {
            return of(Inet6Address.ofLiteral(s));
        }
        return ofText(s.contains("@") ? ID_RFC822_ADDR : ID_FQDN, s);
    }

    private static IkeIdentity distinguishedName(String s) {
        try {
            return new IkeIdentity(ID_DER_ASN1_DN, new X500Name(BCStyle.INSTANCE, s).getEncoded(ASN1Encoding.DER));
        } catch (IOException | RuntimeException e) {
            throw new IllegalArgumentException("not a distinguished name: " + s, e);
        }
    }

    /**
     * True if this configured identity accepts {@code presented}: {@link #ANY} accepts everything; an FQDN
     * or RFC822 address compares without regard to case, and one starting with {@code *} accepts any
     * identity ending in the rest ({@code *.example.net}, {@code *@example.net}); a distinguished name
     * compares attribute by attribute in order, with {@code *} accepting any value ({@code C=CH, O=Example,
     * CN=*}); other types compare their octets.
     */
    public boolean matches(IkeIdentity presented) {
        if (this.equals(ANY)) {
            return true;
        }
        if (presented.idType != idType) {
            return false;
        }
        return switch (idType) {
            case ID_FQDN, ID_RFC822_ADDR -> textMatches(utf8(data), utf8(presented.data));
            case ID_DER_ASN1_DN -> dnMatches(X500Name.getInstance(data), X500Name.getInstance(presented.data));
            default -> Arrays.equals(data, presented.data);
        };
    }

    private static boolean textMatches(String configured, String presented) {
        if (configured.startsWith("*")) {
            String suffix = configured.substring(1).toLowerCase(Locale.ROOT);
            return presented.toLowerCase(Locale.ROOT).endsWith(suffix);
        }
        return configured.equalsIgnoreCase(presented);
    }

    private static boolean dnMatches(X500Name configured, X500Name presented) {
        RDN[] ours = configured.getRDNs();
        RDN[] theirs = presented.getRDNs();
        if (ours.length != theirs.length) {
            return false;
        }
        for (int i = 0; i < ours.length; i++) {
            if (!rdnMatches(ours[i].getTypesAndValues(), theirs[i].getTypesAndValues())) {
                return false;
            }
        }
        return true;
    }

    private static boolean rdnMatches(AttributeTypeAndValue[] ours, AttributeTypeAndValue[] theirs) {
        if (ours.length != theirs.length) {
            return false;
        }
        for (int i = 0; i < ours.length; i++) {
            String value = IETFUtils.valueToString(ours[i].getValue());
            if (!ours[i].getType().equals(theirs[i].getType())
                    || !(value.equals("*")
                            || IETFUtils.canonicalString(ours[i].getValue())
                                    .equals(IETFUtils.canonicalString(theirs[i].getValue())))) {
                return false;
            }
        }
        return true;
    }

    /**
     * True if {@code cert} vouches for this identity (RFC 7296 §3.5, RFC 4945 §3.1): a distinguished name
     * equal to the subject, an FQDN, RFC822 address or IP address among the subjectAltNames, or a KEY_ID
     * equal to the subjectKeyIdentifier. {@link #ANY} is covered by every certificate.
     */
    public boolean isCoveredBy(X509Certificate cert) {
        return switch (idType) {
            case 0 -> true;
            case ID_DER_ASN1_DN ->
                X500Name.getInstance(cert.getSubjectX500Principal().getEncoded())
                        .equals(X500Name.getInstance(data));
            case ID_FQDN -> altNames(cert, 2).stream().anyMatch(n -> n.equalsIgnoreCase(utf8(data)));
            case ID_RFC822_ADDR -> altNames(cert, 1).stream().anyMatch(n -> n.equalsIgnoreCase(utf8(data)));
            case ID_IPV4_ADDR, ID_IPV6_ADDR -> altNames(cert, 7).stream().anyMatch(this::sameAddress);
            case ID_KEY_ID -> Arrays.equals(data, subjectKeyIdentifier(cert));
            default -> false;
        };
    }

    private boolean sameAddress(String literal) {
        try {
            return Arrays.equals(data, InetAddress.ofLiteral(literal).getAddress());
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private static List<String> altNames(X509Certificate cert, int generalNameTag) {
        try {
            Collection<List<?>> names = cert.getSubjectAlternativeNames();
            if (names == null) {
                return List.of();
            }
            return names.stream()
                    .filter(n -> ((Integer) n.get(0)) == generalNameTag && n.get(1) instanceof String)
                    .map(n -> (String) n.get(1))
                    .toList();
        } catch (CertificateParsingException e) {
            return List.of();
        }
    }

    private static byte[] subjectKeyIdentifier(X509Certificate cert) {
        byte[] extension = cert.getExtensionValue("2.5.29.14");
        if (extension == null) {
            return null;
        }
        ASN1OctetString outer = ASN1OctetString.getInstance(extension);
        return ASN1OctetString.getInstance(outer.getOctets()).getOctets();
    }

    /** Content equality: same type, same octets. */
    @Override
    public boolean equals(Object other) {
        return other instanceof IkeIdentity id && id.idType == idType && Arrays.equals(id.data, data);
    }

    @Override
    public int hashCode() {
        return 31 * idType + Arrays.hashCode(data);
    }

    /** The identity in {@link #parse} syntax. */
    @Override
    public String toString() {
        String plain = plainText();
        if (idType != ID_FQDN && idType != ID_RFC822_ADDR) {
            return plain;
        }
        // An FQDN such as "10.0.0.1" or an address with "=" would read back as another type.
        return readsBackAsItself(plain) ? plain : (idType == ID_FQDN ? "fqdn:" : "rfc822:") + plain;
    }

    private boolean readsBackAsItself(String text) {
        try {
            return parse(text).equals(this);
        } catch (IllegalArgumentException e) {
            return false;
        }
    }

    private String plainText() {
        return switch (idType) {
            case 0 -> "%any";
            case ID_IPV4_ADDR -> address().getHostAddress();
            case ID_IPV6_ADDR -> Ipv6Text.compressed(data);
            case ID_FQDN, ID_RFC822_ADDR -> utf8(data);
            case ID_DER_ASN1_DN -> dnText(X500Name.getInstance(data));
            case ID_KEY_ID -> "@#" + HexFormat.of().formatHex(data);
            default -> "%type" + idType + ":#" + HexFormat.of().formatHex(data);
        };
    }

    private InetAddress address() {
        try {
            return InetAddress.getByAddress(data);
        } catch (java.net.UnknownHostException e) {
            throw new IllegalStateException(e);
        }
    }

    /** strongSwan's form: RDNs in DER order, {@code type=value} joined by ", ". */
    private static String dnText(X500Name name) {
        StringBuilder out = new StringBuilder();
        for (RDN rdn : name.getRDNs()) {
            if (!out.isEmpty()) {
                out.append(", ");
            }
            AttributeTypeAndValue[] values = rdn.getTypesAndValues();
            for (int i = 0; i < values.length; i++) {
                String type = BCStyle.INSTANCE.oidToDisplayName(values[i].getType());
                out.append(i > 0 ? "+" : "")
                        .append(type != null ? type : values[i].getType().getId())
                        .append('=')
                        .append(IETFUtils.valueToString(values[i].getValue()));
            }
        }
        return out.toString();
    }

    private static String utf8(byte[] bytes) {
        return new String(bytes, StandardCharsets.UTF_8);
    }

    private static byte[] utf8(String text) {
        return text.getBytes(StandardCharsets.UTF_8);
    }

    private static byte[] hex(String text) {
        return HexFormat.of().parseHex(text);
    }
}
