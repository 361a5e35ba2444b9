/**
 * The Linux system calls the lanes need and Netty does not expose, bound through the JDK's FFM API
 * with {@code net.ipsecgw.natt.sys.Syscalls}: CPU affinity ({@link net.ipsecgw.core.linux.CpuAffinity}),
 * the multi-queue TUN device ({@link net.ipsecgw.core.linux.TunDevice}, one
 * {@link net.ipsecgw.core.linux.TunQueue} per lane) and interface MTU/up control
 * ({@link net.ipsecgw.core.linux.InterfaceControl}). Nothing here knows Netty.
 */
package net.ipsecgw.core.linux;
