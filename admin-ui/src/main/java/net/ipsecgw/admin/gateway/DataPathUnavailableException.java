package net.ipsecgw.admin.gateway;

/** A data path that this build cannot run yet; the console runs without it and shows the reason. */
public final class DataPathUnavailableException extends RuntimeException {
    private static final long serialVersionUID = 1L;

    /** Says why. */
    public DataPathUnavailableException(String reason) {
        super(reason);
    }
}
