package net.ipsecgw.admin.gateway;

/** An action that needs the IKE control plane, asked while none is running. */
public final class IkeUnavailableException extends IllegalStateException {
    private static final long serialVersionUID = 1L;

    /** Says what was asked. */
    public IkeUnavailableException(String what) {
        super(what + ": no IKE control plane runs (the gateway started without IKE connections, or without a"
                + " data path)");
    }
}
