package net.ipsecgw.admin.gateway;

/** Where a tunnel is in its life, as the dashboard colours it. */
public enum TunnelState {
    /** Manually keyed: its SAs are installed from the configuration and never negotiated. */
    INSTALLED,
    /** No IKE SA: waiting for the peer, for traffic (trap) or for the operator. */
    DOWN,
    /** IKE_SA_INIT or IKE_AUTH is running. */
    CONNECTING,
    /** The IKE SA is up. */
    ESTABLISHED,
    /** A rekey exchange is running. */
    REKEYING,
    /** The IKE SA is being deleted. */
    DELETING,
    /** Nobody can tell: the IKE control plane is not running. */
    UNKNOWN
}
