package net.ipsecgw.natt.sys;

/** A failed system call, with the kernel's errno and its text in the message. */
public final class SyscallException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** The {@code errno} the call failed with (e.g. 1 for EPERM, 16 for EBUSY). */
    private final int errno;

    /** A failure of {@code what} (the call and its subject, e.g. "ioctl(TUNSETIFF, gw0)"). */
    public SyscallException(String what, int errno) {
        super(what + " failed: " + Syscalls.strerror(errno) + " (errno " + errno + ")");
        this.errno = errno;
    }

    /** The {@code errno} the call failed with. */
    public int errno() {
        return errno;
    }
}
