package net.ipsecgw.core.datapath;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.netty.channel.MultiThreadIoEventLoopGroup;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.channel.nio.NioIoHandler;
import java.io.IOException;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * A failure reported by a lane socket's pipeline (Netty hands a refused {@code sendmsg}, e.g. a GSO run
 * larger than the route's MTU, to {@code exceptionCaught}) is counted and leaves the socket open.
 */
class LaneSocketErrorTest {
    @Test
    void aSocketErrorIsCountedAndTheChannelStaysOpen() {
        MultiThreadIoEventLoopGroup group = new MultiThreadIoEventLoopGroup(1, NioIoHandler.newFactory());
        try {
            Lane lane = new Lane(0, group.next());
            EmbeddedChannel socket = new EmbeddedChannel(lane.blackHandler());
            socket.pipeline().fireExceptionCaught(new IOException("sendmsg(..) failed: Message too long"));
            socket.pipeline().fireExceptionCaught(new IOException("sendmsg(..) failed: Network is unreachable"));
            socket.checkException(); // nothing left unhandled at the pipeline's end
            assertEquals(2, lane.counters().drops(PathDrop.SOCKET_ERROR));
            assertTrue(socket.isOpen());
            socket.finishAndReleaseAll();
        } finally {
            group.shutdownGracefully(0, 5, TimeUnit.SECONDS).syncUninterruptibly();
        }
    }
}
