package net.ipsecgw.core.linux;

import java.lang.foreign.Arena;
import net.ipsecgw.natt.sys.SyscallException;

/**
 * Sets and reads a network interface's MTU and up/down state with the classic interface ioctls
 * ({@code SIOCSIFMTU}, {@code SIOCGIFMTU}, {@code SIOCGIFFLAGS}, {@code SIOCSIFFLAGS}) on a short-lived
 * AF_INET datagram socket. Addresses and routes are not set here: the gateway leaves them to the
 * system's network configuration.
 *
 * <p>Stateless and thread-safe. Acts on the network namespace of the <em>calling thread</em> (the
 * socket is created there), which lets a test configure a device from a thread inside a namespace.
 */
public final class InterfaceControl {
    private static final long SIOCGIFFLAGS = 0x8913;
    private static final long SIOCSIFFLAGS = 0x8914;
    private static final long SIOCGIFMTU = 0x8921;
    private static final long SIOCSIFMTU = 0x8922;

    /** {@code IFF_UP} from {@code <net/if.h>}. */
    public static final int IFF_UP = 0x1;

    private InterfaceControl() {}

    /** Sets the MTU of interface {@code name}. */
    public static void setMtu(String name, int mtu) {
        if (mtu < 68 || mtu > 65535) {
            throw new IllegalArgumentException("MTU " + mtu + " is outside 68-65535 (IPv4 minimum to maximum)");
        }
        withRequest(name, (fd, ifr) -> {
            ifr.intValue(mtu);
            Libc.ioctl(fd, SIOCSIFMTU, ifr.segment(), "ioctl(SIOCSIFMTU " + mtu + ", " + name + ")");
            return null;
        });
    }

    /** The MTU of interface {@code name}. */
    public static int mtu(String name) {
        return withRequest(name, (fd, ifr) -> {
            Libc.ioctl(fd, SIOCGIFMTU, ifr.segment(), "ioctl(SIOCGIFMTU, " + name + ")");
            return ifr.intValue();
        });
    }

    /** The interface flags ({@code IFF_UP}, {@code IFF_RUNNING}, ...) of {@code name}. */
    public static int flags(String name) {
        return withRequest(name, (fd, ifr) -> {
            Libc.ioctl(fd, SIOCGIFFLAGS, ifr.segment(), "ioctl(SIOCGIFFLAGS, " + name + ")");
            return ifr.flags() & 0xffff;
        });
    }

    /** True when {@code name} is administratively up. */
    public static boolean isUp(String name) {
        return (flags(name) & IFF_UP) != 0;
    }

    /** Brings interface {@code name} up (sets {@code IFF_UP}, keeping its other flags). */
    public static void setUp(String name) {
        withRequest(name, (fd, ifr) -> {
            // Read-modify-write: SIOCSIFFLAGS replaces every flag, so start from the current ones.
            Libc.ioctl(fd, SIOCGIFFLAGS, ifr.segment(), "ioctl(SIOCGIFFLAGS, " + name + ")");
            ifr.flags((short) (ifr.flags() | IFF_UP));
            Libc.ioctl(fd, SIOCSIFFLAGS, ifr.segment(), "ioctl(SIOCSIFFLAGS up, " + name + ")");
            return null;
        });
    }

    private interface Request<T> {
        T apply(int socketFd, Ifreq ifr);
    }

    private static <T> T withRequest(String name, Request<T> request) {
        InterfaceNames.requireValid(name);
        int fd = Libc.inetDatagramSocket();
        try (Arena arena = Arena.ofConfined()) {
            return request.apply(fd, Ifreq.forName(arena, name));
        } catch (SyscallException e) {
            if (e.errno() == Libc.ENODEV) {
                throw new IllegalArgumentException("no interface named '" + name + "' in this network namespace", e);
            }
            throw e;
        } finally {
            Libc.close(fd);
        }
    }
}
