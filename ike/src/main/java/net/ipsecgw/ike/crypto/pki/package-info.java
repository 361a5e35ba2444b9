/**
 * X.509 for IKEv2 certificate authentication (RFC 7296 §3.6, profiled by RFC 4945 §5): validating a
 * peer's chain against the configured trust anchors (RFC 5280 §6 via the JDK's PKIX validator), a small
 * certificate authority for the appliance and for tests (built with Bouncy Castle), and PEM import and
 * export of certificates and PKCS#8 private keys (RFC 7468).
 *
 * <p>The validator and PEM helpers are stateless and thread-safe; a {@link
 * net.ipsecgw.ike.crypto.pki.CertificateAuthority} is safe to share but serialises nothing itself beyond
 * what its {@link java.security.SecureRandom} does.
 */
package net.ipsecgw.ike.crypto.pki;
