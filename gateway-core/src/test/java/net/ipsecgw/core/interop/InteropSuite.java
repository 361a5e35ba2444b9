package net.ipsecgw.core.interop;

/**
 * The proposals the interoperability tests negotiate, and what strongSwan must then report for them
 * (`swanctl --list-sas` names).
 */
enum InteropSuite {
    AES128_X25519("aes128gcm16-prfsha256-x25519", "aes128gcm16", 128, "PRF_HMAC_SHA2_256", "CURVE_25519"),
    AES256_ECP384("aes256gcm16-prfsha384-ecp384", "aes256gcm16", 256, "PRF_HMAC_SHA2_384", "ECP_384");

    final String ike;
    final String esp;
    final int keySize;
    final String prf;
    final String group;

    InteropSuite(String ike, String esp, int keySize, String prf, String group) {
        this.ike = ike;
        this.esp = esp;
        this.keySize = keySize;
        this.prf = prf;
        this.group = group;
    }
}
