package net.ipsecgw.natt;

import static java.lang.foreign.ValueLayout.ADDRESS;
import static java.lang.foreign.ValueLayout.JAVA_BYTE;
import static java.lang.foreign.ValueLayout.JAVA_INT;
import static java.lang.foreign.ValueLayout.JAVA_SHORT;

import java.lang.foreign.Arena;
import java.lang.foreign.MemoryLayout;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.StructLayout;
import net.ipsecgw.natt.sys.SyscallException;
import net.ipsecgw.natt.sys.Syscalls;

/**
 * The classic BPF program that steers each datagram of a SO_REUSEPORT group to socket {@code SPI mod
 * N}, attached with {@code setsockopt(fd, SOL_SOCKET, SO_ATTACH_REUSEPORT_CBPF, struct sock_fprog)}.
 *
 * <pre>
 *   ld  [0]        A = first 4 octets of the UDP payload, big-endian: the ESP SPI
 *   mod #N         A = A mod N (unsigned)
 *   ret A          index of the socket in the group = the lane
 * </pre>
 *
 * <p>For reuseport programs the kernel has pulled the UDP header, so offset 0 is the UDP payload. A
 * load past the end aborts the program with 0, so 1-3 octet datagrams (keepalives) go to socket 0; the
 * non-ESP marker is SPI 0, so IKE goes to socket 0 too. An index at or above the group's current size
 * (while the group is still being bound) makes the kernel fall back to its hash.
 *
 * <p>Stateless; any thread. The program is attached once per group, at startup.
 */
public final class ReuseportSpiSteering {
    static final int SOL_SOCKET = 1;
    static final int SO_ATTACH_REUSEPORT_CBPF = 51;

    // Classic BPF opcodes (linux/bpf_common.h): class | size | mode, class | op | source.
    static final short LD_W_ABS = 0x00 | 0x00 | 0x20; // BPF_LD | BPF_W | BPF_ABS
    static final short ALU_MOD_K = 0x04 | 0x90 | 0x00; // BPF_ALU | BPF_MOD | BPF_K
    static final short RET_A = 0x06 | 0x10; // BPF_RET | BPF_A

    /** struct sock_filter { __u16 code; __u8 jt; __u8 jf; __u32 k; } */
    private static final StructLayout SOCK_FILTER = MemoryLayout.structLayout(
            JAVA_SHORT.withName("code"), JAVA_BYTE.withName("jt"), JAVA_BYTE.withName("jf"), JAVA_INT.withName("k"));

    /** struct sock_fprog { unsigned short len; struct sock_filter *filter; } (x86-64: 6 octets of padding). */
    private static final StructLayout SOCK_FPROG = MemoryLayout.structLayout(
            JAVA_SHORT.withName("len"), MemoryLayout.paddingLayout(6), ADDRESS.withName("filter"));

    private ReuseportSpiSteering() {}

    /** The program for a group of {@code lanes} sockets, as (code, jt, jf, k) rows. */
    static int[][] program(int lanes) {
        if (lanes < 1) {
            throw new IllegalArgumentException("lanes must be at least 1, got " + lanes);
        }
        return new int[][] {{LD_W_ABS, 0, 0, 0}, {ALU_MOD_K, 0, 0, lanes}, {RET_A, 0, 0, 0}};
    }

    /**
     * Attaches the steering program for {@code lanes} sockets to the reuseport group of socket {@code
     * fd}, which must already be bound with SO_REUSEPORT. Replaces any program the group had.
     *
     * @throws SyscallException with the kernel's errno when the kernel refuses the program
     */
    public static void attach(int fd, int lanes) {
        int[][] rows = program(lanes);
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment filter = arena.allocate(SOCK_FILTER, rows.length);
            for (int i = 0; i < rows.length; i++) {
                MemorySegment row = filter.asSlice(i * SOCK_FILTER.byteSize(), SOCK_FILTER);
                row.set(JAVA_SHORT, 0, (short) rows[i][0]);
                row.set(JAVA_BYTE, 2, (byte) rows[i][1]);
                row.set(JAVA_BYTE, 3, (byte) rows[i][2]);
                row.set(JAVA_INT, 4, rows[i][3]);
            }
            MemorySegment fprog = arena.allocate(SOCK_FPROG);
            fprog.set(JAVA_SHORT, 0, (short) rows.length);
            fprog.set(ADDRESS, 8, filter);
            Syscalls.setsockopt(
                    fd,
                    SOL_SOCKET,
                    SO_ATTACH_REUSEPORT_CBPF,
                    fprog,
                    "setsockopt(SO_ATTACH_REUSEPORT_CBPF, fd " + fd + ", " + lanes + " lanes)");
        }
    }
}
