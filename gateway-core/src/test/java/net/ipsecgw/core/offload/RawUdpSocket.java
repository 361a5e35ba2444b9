package net.ipsecgw.core.offload;

import java.lang.foreign.Arena;
import java.lang.foreign.FunctionDescriptor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.lang.invoke.MethodHandle;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * A non-blocking UDP socket made with the C library, for the socket options the JDK does not offer:
 * {@code UDP_SEGMENT} (send one buffer as a train of datagrams) and {@code UDP_GRO} (receive a train as
 * one buffer). Create it on a namespace's thread to have it there. For tests; not thread-safe.
 */
final class RawUdpSocket implements AutoCloseable {
    static final int IPPROTO_UDP = 17;
    /** {@code UDP_SEGMENT} (linux/udp.h): the datagram size for GSO sends. */
    static final int UDP_SEGMENT = 103;
    /** {@code UDP_GRO} (linux/udp.h): receive GRO trains whole. */
    static final int UDP_GRO = 104;

    private static final int AF_INET = 2;
    private static final int AF_INET6 = 10;
    private static final int SOCK_DGRAM = 2;
    private static final int SOCK_NONBLOCK = 0x800;
    private static final int SOCK_CLOEXEC = 0x80000;
    private static final int MSG_DONTWAIT = 0x40;
    private static final int EAGAIN = 11;

    private static final MethodHandle SOCKET = Syscalls.downcall(
            "socket",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));
    private static final MethodHandle BIND = Syscalls.downcall(
            "bind",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_INT, ValueLayout.JAVA_INT, ValueLayout.ADDRESS, ValueLayout.JAVA_INT));
    private static final MethodHandle SENDTO = Syscalls.downcall(
            "sendto",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle RECV = Syscalls.downcall(
            "recv",
            FunctionDescriptor.of(
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT,
                    ValueLayout.ADDRESS,
                    ValueLayout.JAVA_LONG,
                    ValueLayout.JAVA_INT));
    private static final MethodHandle CLOSE =
            Syscalls.downcall("close", FunctionDescriptor.of(ValueLayout.JAVA_INT, ValueLayout.JAVA_INT));

    private final Arena arena = Arena.ofShared();
    private final MemorySegment errno = Syscalls.newErrnoState(arena);
    private final MemorySegment io = arena.allocate(1 << 17, 64);
    private final MemorySegment address = arena.allocate(28, 8);
    private final boolean v6;
    private final int fd;

    private RawUdpSocket(boolean v6, int fd) {
        this.v6 = v6;
        this.fd = fd;
    }

    /** A new socket in the calling thread's network namespace. */
    static RawUdpSocket open(boolean v6) {
        try (Arena call = Arena.ofConfined()) {
            MemorySegment state = Syscalls.newErrnoState(call);
            int fd = (int)
                    SOCKET.invokeExact(state, v6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
            return new RawUdpSocket(v6, Syscalls.check(fd, state, "socket"));
        } catch (RuntimeException | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException("socket downcall failed", t);
        }
    }

    void setOption(int level, int option, int value) {
        Syscalls.setsockopt(fd, level, option, value, "setsockopt(" + level + ", " + option + ")");
    }

    void bind(InetAddress local, int port) throws Throwable {
        int length = encode(new InetSocketAddress(local, port));
        int result = (int) BIND.invokeExact(errno, fd, address, length);
        Syscalls.check(result, errno, "bind " + local + ":" + port);
    }

    /** One sendto(2) of {@code data[0, length)}: with UDP_SEGMENT set, a train of datagrams. */
    void send(byte[] data, int length, InetSocketAddress to) throws Throwable {
        MemorySegment.copy(data, 0, io, ValueLayout.JAVA_BYTE, 0, length);
        int addressLength = encode(to);
        long n = (long) SENDTO.invokeExact(errno, fd, io, (long) length, 0, address, addressLength);
        Syscalls.check((int) n, errno, "sendto " + to);
        if (n != length) {
            throw new IllegalStateException("sent " + n + " of " + length);
        }
    }

    /** One recv(2) into {@code into}; its length, or -1 when nothing is waiting. */
    int receive(byte[] into) throws Throwable {
        long n = (long) RECV.invokeExact(errno, fd, io, io.byteSize(), MSG_DONTWAIT);
        if (n < 0) {
            if (Syscalls.errno(errno) == EAGAIN) {
                return -1;
            }
            Syscalls.check((int) n, errno, "recv");
        }
        MemorySegment.copy(io, ValueLayout.JAVA_BYTE, 0, into, 0, (int) n);
        return (int) n;
    }

    /** Writes {@code to} as a {@code sockaddr_in} or {@code sockaddr_in6}; returns its length. */
    private int encode(InetSocketAddress to) {
        address.fill((byte) 0);
        byte[] ip = to.getAddress().getAddress();
        if (v6 != (to.getAddress() instanceof Inet6Address)) {
            throw new IllegalArgumentException(to + " is not of the socket's family");
        }
        address.set(ValueLayout.JAVA_SHORT, 0, (short) (v6 ? AF_INET6 : AF_INET));
        address.set(ValueLayout.JAVA_BYTE, 2, (byte) (to.getPort() >>> 8));
        address.set(ValueLayout.JAVA_BYTE, 3, (byte) to.getPort());
        MemorySegment.copy(ip, 0, address, ValueLayout.JAVA_BYTE, v6 ? 8 : 4, ip.length);
        return v6 ? 28 : 16;
    }

    @Override
    public void close() throws Exception {
        try {
            int result = (int) CLOSE.invokeExact(errno, fd);
            Syscalls.check(result, errno, "close");
        } catch (Exception | Error e) {
            throw e;
        } catch (Throwable t) {
            throw new IllegalStateException(t);
        } finally {
            arena.close();
        }
    }
}
