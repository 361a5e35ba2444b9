package net.ipsecgw.ike.message;

/**
 * Notify message type (RFC 7296 §3.10.1, IANA "IKEv2 Notify Message Error Types" and "Status
 * Types"). Types below 16384 are errors, the others status; 40960..65535 are for private use.
 *
 * <p>An open value type: {@link #valueOf} returns the named constant for a registered number and a
 * new unnamed value for any other, which compares equal to every value with the same number.
 * Immutable; safe to share between threads.
 */
public final class NotifyType extends IanaValue {
    private static final IanaRegistry<NotifyType> REGISTRY =
            new IanaRegistry<>("notify message type", 65535, NotifyType::new);

    // Error types (RFC 7296 §3.10.1 unless noted).

    /** A payload with the critical bit set was not understood; data: its type. */
    public static final NotifyType UNSUPPORTED_CRITICAL_PAYLOAD = REGISTRY.define(1, "UNSUPPORTED_CRITICAL_PAYLOAD");

    /** A message arrived for an IKE SA that is not known. */
    public static final NotifyType INVALID_IKE_SPI = REGISTRY.define(4, "INVALID_IKE_SPI");

    /** The major version is not 2; data: the highest version supported. */
    public static final NotifyType INVALID_MAJOR_VERSION = REGISTRY.define(5, "INVALID_MAJOR_VERSION");

    /** The message is malformed, or its payloads are not in a valid combination. */
    public static final NotifyType INVALID_SYNTAX = REGISTRY.define(7, "INVALID_SYNTAX");

    /** The message ID is outside the window. */
    public static final NotifyType INVALID_MESSAGE_ID = REGISTRY.define(9, "INVALID_MESSAGE_ID");

    /** An ESP or AH packet arrived with an unknown SPI. */
    public static final NotifyType INVALID_SPI = REGISTRY.define(11, "INVALID_SPI");

    /** None of the proposed cryptographic suites is acceptable. */
    public static final NotifyType NO_PROPOSAL_CHOSEN = REGISTRY.define(14, "NO_PROPOSAL_CHOSEN");

    /** The KE payload's group is not the one selected; data: the accepted group. */
    public static final NotifyType INVALID_KE_PAYLOAD = REGISTRY.define(17, "INVALID_KE_PAYLOAD");

    /** The AUTH payload did not verify. */
    public static final NotifyType AUTHENTICATION_FAILED = REGISTRY.define(24, "AUTHENTICATION_FAILED");

    /** The traffic selectors must narrow to a single pair. */
    public static final NotifyType SINGLE_PAIR_REQUIRED = REGISTRY.define(34, "SINGLE_PAIR_REQUIRED");

    /** The responder accepts no more Child SAs on this IKE SA. */
    public static final NotifyType NO_ADDITIONAL_SAS = REGISTRY.define(35, "NO_ADDITIONAL_SAS");

    /** No internal address could be assigned. */
    public static final NotifyType INTERNAL_ADDRESS_FAILURE = REGISTRY.define(36, "INTERNAL_ADDRESS_FAILURE");

    /** A configuration payload was expected but not sent. */
    public static final NotifyType FAILED_CP_REQUIRED = REGISTRY.define(37, "FAILED_CP_REQUIRED");

    /** None of the traffic selectors is acceptable. */
    public static final NotifyType TS_UNACCEPTABLE = REGISTRY.define(38, "TS_UNACCEPTABLE");

    /** An ESP or AH packet did not match its SA's selectors. */
    public static final NotifyType INVALID_SELECTORS = REGISTRY.define(39, "INVALID_SELECTORS");

    /** A transient failure, e.g. a rekey collision; retry later. */
    public static final NotifyType TEMPORARY_FAILURE = REGISTRY.define(43, "TEMPORARY_FAILURE");

    /** The Child SA to rekey does not exist. */
    public static final NotifyType CHILD_SA_NOT_FOUND = REGISTRY.define(44, "CHILD_SA_NOT_FOUND");

    /** No more per-resource Child SAs for these traffic selectors (RFC 9611 §4). */
    public static final NotifyType TS_MAX_QUEUE = REGISTRY.define(48, "TS_MAX_QUEUE");

    // Status types (RFC 7296 §3.10.1 unless noted).

    /** The first IKE SA between these peers; older ones may be deleted. */
    public static final NotifyType INITIAL_CONTACT = REGISTRY.define(16384, "INITIAL_CONTACT");

    /** The number of requests the sender can handle at once; data: 4-octet window. */
    public static final NotifyType SET_WINDOW_SIZE = REGISTRY.define(16385, "SET_WINDOW_SIZE");

    /** The responder narrowed the traffic selectors but would accept others. */
    public static final NotifyType ADDITIONAL_TS_POSSIBLE = REGISTRY.define(16386, "ADDITIONAL_TS_POSSIBLE");

    /** IP payload compression is supported; data: CPI and transform ID. */
    public static final NotifyType IPCOMP_SUPPORTED = REGISTRY.define(16387, "IPCOMP_SUPPORTED");

    /** Hash of the SPIs and the sender's address and port (RFC 7296 §2.23). */
    public static final NotifyType NAT_DETECTION_SOURCE_IP = REGISTRY.define(16388, "NAT_DETECTION_SOURCE_IP");

    /** Hash of the SPIs and the receiver's address and port (RFC 7296 §2.23). */
    public static final NotifyType NAT_DETECTION_DESTINATION_IP =
            REGISTRY.define(16389, "NAT_DETECTION_DESTINATION_IP");

    /** A stateless cookie to return with the next IKE_SA_INIT request (RFC 7296 §2.6). */
    public static final NotifyType COOKIE = REGISTRY.define(16390, "COOKIE");

    /** Requests a transport mode Child SA. */
    public static final NotifyType USE_TRANSPORT_MODE = REGISTRY.define(16391, "USE_TRANSPORT_MODE");

    /** Certificates may be sent as hash and URL. */
    public static final NotifyType HTTP_CERT_LOOKUP_SUPPORTED = REGISTRY.define(16392, "HTTP_CERT_LOOKUP_SUPPORTED");

    /** The CREATE_CHILD_SA request rekeys the Child SA with the notify's SPI. */
    public static final NotifyType REKEY_SA = REGISTRY.define(16393, "REKEY_SA");

    /** The sender does not accept TFC padding. */
    public static final NotifyType ESP_TFC_PADDING_NOT_SUPPORTED =
            REGISTRY.define(16394, "ESP_TFC_PADDING_NOT_SUPPORTED");

    /** Non-first fragments are also sent over the Child SA. */
    public static final NotifyType NON_FIRST_FRAGMENTS_ALSO = REGISTRY.define(16395, "NON_FIRST_FRAGMENTS_ALSO");

    /** MOBIKE is supported (RFC 4555). */
    public static final NotifyType MOBIKE_SUPPORTED = REGISTRY.define(16396, "MOBIKE_SUPPORTED");

    /** An additional IPv4 address of the sender (RFC 4555). */
    public static final NotifyType ADDITIONAL_IP4_ADDRESS = REGISTRY.define(16397, "ADDITIONAL_IP4_ADDRESS");

    /** An additional IPv6 address of the sender (RFC 4555). */
    public static final NotifyType ADDITIONAL_IP6_ADDRESS = REGISTRY.define(16398, "ADDITIONAL_IP6_ADDRESS");

    /** The sender has no additional addresses (RFC 4555). */
    public static final NotifyType NO_ADDITIONAL_ADDRESSES = REGISTRY.define(16399, "NO_ADDITIONAL_ADDRESSES");

    /** Moves the SAs to the addresses of this message (RFC 4555). */
    public static final NotifyType UPDATE_SA_ADDRESSES = REGISTRY.define(16400, "UPDATE_SA_ADDRESSES");

    /** A return routability check (RFC 4555). */
    public static final NotifyType COOKIE2 = REGISTRY.define(16401, "COOKIE2");

    /** Multiple authentication exchanges are supported (RFC 4739). */
    public static final NotifyType MULTIPLE_AUTH_SUPPORTED = REGISTRY.define(16404, "MULTIPLE_AUTH_SUPPORTED");

    /** Another authentication round follows (RFC 4739). */
    public static final NotifyType ANOTHER_AUTH_FOLLOWS = REGISTRY.define(16405, "ANOTHER_AUTH_FOLLOWS");

    /** Redirection is supported (RFC 5685). */
    public static final NotifyType REDIRECT_SUPPORTED = REGISTRY.define(16406, "REDIRECT_SUPPORTED");

    /** The initiator accepts EAP-only authentication (RFC 5998). */
    public static final NotifyType EAP_ONLY_AUTHENTICATION = REGISTRY.define(16417, "EAP_ONLY_AUTHENTICATION");

    /** IKE_AUTH may complete without a Child SA (RFC 6023). */
    public static final NotifyType CHILDLESS_IKEV2_SUPPORTED = REGISTRY.define(16418, "CHILDLESS_IKEV2_SUPPORTED");

    /** Message ID synchronisation is supported (RFC 6311). */
    public static final NotifyType IKEV2_MESSAGE_ID_SYNC_SUPPORTED =
            REGISTRY.define(16420, "IKEV2_MESSAGE_ID_SYNC_SUPPORTED");

    /** IKE fragmentation is supported (RFC 7383 §2.3). */
    public static final NotifyType IKEV2_FRAGMENTATION_SUPPORTED =
            REGISTRY.define(16430, "IKEV2_FRAGMENTATION_SUPPORTED");

    /** The hash algorithms accepted for signatures (RFC 7427 §4); data: 2-octet IDs. */
    public static final NotifyType SIGNATURE_HASH_ALGORITHMS = REGISTRY.define(16431, "SIGNATURE_HASH_ALGORITHMS");

    /** The Child SA is one per resource of a set (RFC 9611 §4); data: optional resource ID. */
    public static final NotifyType SA_RESOURCE_INFO = REGISTRY.define(16444, "SA_RESOURCE_INFO");

    // UDP_EPHEMERAL_SOURCE_PORT: draft-antony-ipsecme-udp-encap-multiport-00 asks IANA for a status type
    // (TBD1) and has none assigned yet. Until it has, the value is 40970 from the private-use range
    // (40960..65535, RFC 7296 §3.10.1), the number strongSwan's implementation of the draft uses. Change
    // it here, and only here, once IANA assigns one.

    /** The Child SA's traffic is sent from an ephemeral UDP source port (draft-antony-ipsecme-udp-encap-multiport); private-use number, see above. */
    public static final NotifyType UDP_EPHEMERAL_SOURCE_PORT = REGISTRY.define(40970, "UDP_EPHEMERAL_SOURCE_PORT");

    private NotifyType(int value, String name) {
        super(value, name);
    }

    /** The constant for {@code value}, or a new unnamed value; throws if outside 0..65535. */
    public static NotifyType valueOf(int value) {
        return REGISTRY.valueOf(value);
    }

    /** True for an error type (below 16384, RFC 7296 §3.10.1); status types are 16384 and above. */
    public boolean isError() {
        return value() < 16384;
    }
}
