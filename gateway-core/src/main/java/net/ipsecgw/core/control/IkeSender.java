package net.ipsecgw.core.control;

import io.netty.buffer.ByteBuf;
import java.net.InetSocketAddress;

/** Sends IKE messages for the data plane (see {@link IkeDatagrams}). Control loop thread. */
@FunctionalInterface
public interface IkeSender {
    /** Sends {@code message} (ownership taken) from {@code local}'s port to {@code remote}. */
    void send(ByteBuf message, InetSocketAddress local, InetSocketAddress remote);

    /** Drops every message: a data plane without IKE sockets. */
    IkeSender NONE = (message, local, remote) -> message.release();
}
