package net.ipsecgw.admin.gateway;

/**
 * Whether the data path runs.
 *
 * @param running true once the lanes carry traffic
 * @param mode the configured data path ({@code NONE}, {@code DEMO}, {@code TUN})
 * @param ike true when an IKE control plane runs
 * @param detail what runs, or why nothing does
 */
public record DataPathStatus(boolean running, String mode, boolean ike, String detail) {}
