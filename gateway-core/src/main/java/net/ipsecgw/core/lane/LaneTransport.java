package net.ipsecgw.core.lane;

import io.netty.channel.IoHandlerFactory;
import io.netty.channel.epoll.Epoll;
import io.netty.channel.epoll.EpollIoHandler;
import io.netty.channel.uring.IoUring;
import io.netty.channel.uring.IoUringIoHandler;
import net.ipsecgw.core.linux.TunFdMode;

/**
 * The Netty native transport a lane's event loop runs on: epoll (the default) or io_uring.
 *
 * <p>Each constant knows whether Netty loaded it on this kernel, why not, and how a TUN queue must be
 * opened for it (epoll reads until EAGAIN on a non-blocking descriptor; io_uring needs a blocking one).
 * Immutable.
 */
public enum LaneTransport {
    /** {@code EpollIoHandler}: readiness-based, reads and writes with plain system calls. */
    EPOLL("epoll", TunFdMode.NON_BLOCKING) {
        @Override
        public Throwable unavailabilityCause() {
            return Epoll.unavailabilityCause();
        }

        @Override
        IoHandlerFactory newFactory() {
            return EpollIoHandler.newFactory();
        }
    },
    /** {@code IoUringIoHandler}: completion-based, reads and writes are submitted to the ring. */
    IO_URING("io_uring", TunFdMode.BLOCKING) {
        @Override
        public Throwable unavailabilityCause() {
            return IoUring.unavailabilityCause();
        }

        @Override
        IoHandlerFactory newFactory() {
            return IoUringIoHandler.newFactory();
        }
    };

    private final String displayName;
    private final TunFdMode tunFdMode;

    LaneTransport(String displayName, TunFdMode tunFdMode) {
        this.displayName = displayName;
        this.tunFdMode = tunFdMode;
    }

    /** Why Netty cannot use this transport here, or {@code null} when it can. */
    public abstract Throwable unavailabilityCause();

    abstract IoHandlerFactory newFactory();

    /** True when Netty loaded this transport's native library and the kernel supports it. */
    public boolean isAvailable() {
        return unavailabilityCause() == null;
    }

    /** How a TUN queue read by this transport must be opened. */
    public TunFdMode tunFdMode() {
        return tunFdMode;
    }

    /**
     * A factory of this transport's {@code IoHandler}s.
     *
     * @throws IllegalStateException when the transport is unavailable, with Netty's reason as message
     *     and cause
     */
    public IoHandlerFactory ioHandlerFactory() {
        Throwable cause = unavailabilityCause();
        if (cause != null) {
            throw new IllegalStateException(
                    "the " + displayName + " transport is not available on this system: " + cause.getMessage()
                            + (this == IO_URING ? " (choose the epoll transport instead)" : ""),
                    cause);
        }
        return newFactory();
    }

    @Override
    public String toString() {
        return displayName;
    }
}
