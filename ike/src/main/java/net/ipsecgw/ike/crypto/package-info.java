/**
 * IKEv2 cryptography (RFC 7296): the pseudo-random functions and prf+ (§2.13), the key exchange groups
 * (§2.14 with RFC 3526, RFC 5903, RFC 8031), SKEYSEED and the IKE SA keys (§2.14, §2.18), Child SA
 * keying material (§2.17), AUTH payload data for pre-shared keys (§2.15) and digital signatures (RFC
 * 7427), and the identities of the ID payloads (§3.5).
 *
 * <p>Nothing here keeps shared state: the enums and static helpers may be called from any thread; a
 * {@link net.ipsecgw.ike.crypto.KeyExchange} and the key records belong to the one IKE SA task that made
 * them.
 */
package net.ipsecgw.ike.crypto;
