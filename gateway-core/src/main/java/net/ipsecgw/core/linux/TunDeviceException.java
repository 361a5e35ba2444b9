package net.ipsecgw.core.linux;

import net.ipsecgw.natt.sys.SyscallException;

/**
 * A TUN device could not be created or attached, with a {@link Reason} a caller can act on and a
 * message that says what to change. The kernel's errno is kept in the {@link SyscallException} cause.
 *
 * <p>Immutable.
 */
public final class TunDeviceException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Why the kernel refused. */
    public enum Reason {
        /** EPERM/EACCES: the process lacks CAP_NET_ADMIN (in the device's network namespace). */
        NO_PERMISSION,
        /** EBUSY: an interface of that name already exists (creation is exclusive). */
        BUSY,
        /** E2BIG: the multi-queue device already has the kernel's maximum of 256 queues. */
        TOO_MANY_QUEUES,
        /** EINVAL: the name belongs to another kind of device, or to a TUN device with other flags. */
        NAME_CONFLICT,
        /** ENOENT/ENODEV: no {@code /dev/net/tun} (no tun module, or a container without the node). */
        NO_TUN_SUPPORT,
        /** Anything else; see the cause. */
        OTHER
    }

    private final Reason reason;

    TunDeviceException(Reason reason, String message, SyscallException cause) {
        super(message, cause);
        this.reason = reason;
    }

    /** Why the device could not be created or attached. */
    public Reason reason() {
        return reason;
    }

    /** The kernel's errno, from the cause. */
    public int errno() {
        return ((SyscallException) getCause()).errno();
    }

    static TunDeviceException fromOpen(SyscallException e) {
        return switch (e.errno()) {
            case Libc.EPERM, Libc.EACCES ->
                new TunDeviceException(
                        Reason.NO_PERMISSION,
                        "cannot open /dev/net/tun: creating a TUN device needs CAP_NET_ADMIN "
                                + "(run as root or grant the service AmbientCapabilities=CAP_NET_ADMIN)",
                        e);
            case Libc.ENOENT, Libc.ENODEV ->
                new TunDeviceException(
                        Reason.NO_TUN_SUPPORT, "no /dev/net/tun: load the tun module or expose the device node", e);
            default -> new TunDeviceException(Reason.OTHER, "cannot open /dev/net/tun: " + e.getMessage(), e);
        };
    }

    static TunDeviceException fromSetIff(String name, int queue, SyscallException e) {
        String subject = "TUN device '" + name + "' (queue " + queue + ")";
        return switch (e.errno()) {
            case Libc.EPERM, Libc.EACCES ->
                new TunDeviceException(
                        Reason.NO_PERMISSION,
                        "cannot create or attach " + subject + ": needs CAP_NET_ADMIN in this network namespace",
                        e);
            case Libc.EBUSY ->
                new TunDeviceException(
                        Reason.BUSY,
                        "cannot create " + subject + ": the name is busy, an interface of that name already "
                                + "exists in this network namespace",
                        e);
            case Libc.E2BIG ->
                new TunDeviceException(
                        Reason.TOO_MANY_QUEUES,
                        "cannot attach " + subject + ": the device already has the maximum of 256 queues",
                        e);
            case Libc.EINVAL ->
                new TunDeviceException(
                        Reason.NAME_CONFLICT,
                        "cannot attach " + subject + ": the name is taken by a device that is not a multi-queue "
                                + "TUN device without packet information (or by another kind of device)",
                        e);
            default -> new TunDeviceException(Reason.OTHER, "cannot create " + subject + ": " + e.getMessage(), e);
        };
    }
}
