/**
 * A TUN queue's packet I/O on its lane's event loop, through Netty 4.2's {@code IoHandle} API: {@link
 * net.ipsecgw.core.tun.TunQueueIo} reads packets into pooled buffers with headroom and tailroom for
 * encapsulation in place and hands them to a {@link net.ipsecgw.core.tun.TunPacketHandler}; it writes
 * decrypted packets back, counting every drop by {@link net.ipsecgw.core.tun.TunDropReason}.
 */
package net.ipsecgw.core.tun;
