package net.ipsecgw.natt;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.HashSet;
import java.util.Set;
import org.junit.jupiter.api.Test;

class EncapsulationPortsTest {
    private static final byte[] KEY_SEQUENCE = range(0, 1); // 00 01 .. 0f
    private static final byte[] KEY_DESCENDING = range(255, -1); // ff fe .. f0
    private static final byte[] KEY_TEXT = "ipsecgw-natt-key".getBytes(StandardCharsets.US_ASCII);

    private static byte[] range(int start, int step) {
        byte[] key = new byte[16];
        for (int i = 0; i < 16; i++) {
            key[i] = (byte) (start + step * i);
        }
        return key;
    }

    /*
     * Expected ports computed independently, not by this code: src/test/python/encapsulation_port_vectors.py
     * (this module) reimplements the assignment on top of the C SipHash-2-4 of Debian's python3-siphashc
     * package, after checking that library against the SipHash paper's vector. Its output, pasted:
     *
     * // key 00..0f, default range, 8 lanes; 0 lane(s) needed the linear fallback
     * {58985, 60317, 62896, 52597, 57435, 58038, 61274, 58592}
     * // key 'ipsecgw-natt-key', default range, 4 lanes; 0 lane(s) needed the linear fallback
     * {55509, 61882, 54880, 55162}
     * // key 00..0f, range 4490-4510 holding 4500, 20 lanes (full); 0 lane(s) needed the linear fallback
     * {4502, 4504, 4507, 4494, 4506, 4501, 4505, 4492, 4493, 4495, 4498, 4503, 4497, 4510, 4499, 4490, 4508, 4491, 4496, 4509}
     * // key ff..f0, range 400-600 holding 500, 32 lanes; 0 lane(s) needed the linear fallback
     * {595, 537, 576, 546, 513, 409, 414, 588, 470, 460, 430, 422, 450, 502, 435, 526, 527, 570, 531, 485, 557, 535, 519, 471, 486, 482, 506, 433, 575, 555, 480, 441}
     * // key 00..0f, range 1000-1099, 100 lanes (full); 2 lane(s) needed the linear fallback
     * {1060, 1068, 1083, 1021, 1050, 1054, 1073, 1057, 1016, 1026, 1040, 1010, 1037, 1053, 1025, 1022, 1070, 1035, 1067, 1085, 1098, 1033, 1039, 1023, 1074, 1075, 1031, 1069, 1006, 1086, 1072, 1097, 1027, 1030, 1046, 1056, 1007, 1032, 1059, 1082, 1051, 1003, 1020, 1019, 1038, 1066, 1061, 1064, 1011, 1004, 1017, 1014, 1015, 1093, 1094, 1024, 1036, 1009, 1092, 1062, 1087, 1079, 1049, 1063, 1029, 1065, 1076, 1047, 1045, 1090, 1013, 1077, 1055, 1078, 1001, 1071, 1081, 1012, 1005, 1028, 1044, 1084, 1048, 1091, 1052, 1095, 1088, 1042, 1018, 1043, 1080, 1058, 1008, 1034, 1000, 1041, 1002, 1099, 1089, 1096}
     */

    @Test
    void defaultRangeVectors() {
        assertArrayEquals(
                new int[] {58985, 60317, 62896, 52597, 57435, 58038, 61274, 58592},
                EncapsulationPorts.assign(KEY_SEQUENCE, PortRange.DYNAMIC, 8));
        assertArrayEquals(
                new int[] {55509, 61882, 54880, 55162}, EncapsulationPorts.assign(KEY_TEXT, PortRange.DYNAMIC, 4));
    }

    @Test
    void rangeHoldingTheNatTPortVector() {
        assertArrayEquals(
                new int[] {
                    4502, 4504, 4507, 4494, 4506, 4501, 4505, 4492, 4493, 4495, 4498, 4503, 4497, 4510, 4499, 4490,
                    4508, 4491, 4496, 4509
                },
                EncapsulationPorts.assign(KEY_SEQUENCE, new PortRange(4490, 4510), 20));
    }

    @Test
    void rangeHoldingTheIkePortVector() {
        assertArrayEquals(
                new int[] {
                    595, 537, 576, 546, 513, 409, 414, 588, 470, 460, 430, 422, 450, 502, 435, 526, 527, 570, 531, 485,
                    557, 535, 519, 471, 486, 482, 506, 433, 575, 555, 480, 441
                },
                EncapsulationPorts.assign(KEY_DESCENDING, new PortRange(400, 600), 32));
    }

    @Test
    void fullRangeVectorExercisesTheLinearFallback() {
        assertArrayEquals(
                new int[] {
                    1060, 1068, 1083, 1021, 1050, 1054, 1073, 1057, 1016, 1026, 1040, 1010, 1037, 1053, 1025, 1022,
                    1070, 1035, 1067, 1085, 1098, 1033, 1039, 1023, 1074, 1075, 1031, 1069, 1006, 1086, 1072, 1097,
                    1027, 1030, 1046, 1056, 1007, 1032, 1059, 1082, 1051, 1003, 1020, 1019, 1038, 1066, 1061, 1064,
                    1011, 1004, 1017, 1014, 1015, 1093, 1094, 1024, 1036, 1009, 1092, 1062, 1087, 1079, 1049, 1063,
                    1029, 1065, 1076, 1047, 1045, 1090, 1013, 1077, 1055, 1078, 1001, 1071, 1081, 1012, 1005, 1028,
                    1044, 1084, 1048, 1091, 1052, 1095, 1088, 1042, 1018, 1043, 1080, 1058, 1008, 1034, 1000, 1041,
                    1002, 1099, 1089, 1096
                },
                EncapsulationPorts.assign(KEY_SEQUENCE, new PortRange(1000, 1099), 100));
    }

    @Test
    void portsAreDistinctInRangeAndNeverIkePorts() {
        for (PortRange range :
                new PortRange[] {PortRange.DYNAMIC, new PortRange(4490, 4510), new PortRange(450, 550)}) {
            int lanes = Math.min(64, range.eligibleCount());
            int[] ports = EncapsulationPorts.assign(KEY_TEXT, range, lanes);
            Set<Integer> seen = new HashSet<>();
            for (int port : ports) {
                assertTrue(range.contains(port), port + " outside " + range);
                assertFalse(port == 500 || port == 4500, "IKE port handed out");
                assertTrue(seen.add(port), "duplicate " + port + " in " + Arrays.toString(ports));
            }
        }
    }

    @Test
    void sameKeyGivesSamePortsAndAnotherKeyOthers() {
        byte[] copy = KEY_TEXT.clone();
        int[] first = EncapsulationPorts.assign(KEY_TEXT, PortRange.DYNAMIC, 16);
        assertArrayEquals(first, EncapsulationPorts.assign(copy, PortRange.DYNAMIC, 16));
        assertFalse(Arrays.equals(first, EncapsulationPorts.assign(KEY_SEQUENCE, PortRange.DYNAMIC, 16)));
    }

    @Test
    void addingLanesKeepsTheExistingLanesPorts() {
        int[] four = EncapsulationPorts.assign(KEY_SEQUENCE, new PortRange(4490, 4510), 4);
        int[] twenty = EncapsulationPorts.assign(KEY_SEQUENCE, new PortRange(4490, 4510), 20);
        assertArrayEquals(four, Arrays.copyOf(twenty, 4));
    }

    @Test
    void portsSpreadOverTheRange() {
        // 1024 lanes over 16 equal slices of the default range: a scaling or folding bug (e.g. using only
        // the low bits) would pile them into few slices. Expected 64 per slice; allow generous noise.
        int[] ports = EncapsulationPorts.assign(KEY_SEQUENCE, PortRange.DYNAMIC, 1024);
        int[] slices = new int[16];
        for (int port : ports) {
            slices[(port - 49152) / 1024]++;
        }
        for (int count : slices) {
            assertTrue(count > 32 && count < 96, Arrays.toString(slices));
        }
    }

    @Test
    void rejectsMoreLanesThanEligiblePorts() {
        assertEquals(20, new PortRange(4490, 4510).eligibleCount());
        assertThrows(
                IllegalArgumentException.class,
                () -> EncapsulationPorts.assign(KEY_SEQUENCE, new PortRange(4490, 4510), 21));
        assertThrows(
                IllegalArgumentException.class,
                () -> EncapsulationPorts.assign(KEY_SEQUENCE, new PortRange(4500, 4500), 1));
        assertThrows(
                IllegalArgumentException.class, () -> EncapsulationPorts.assign(KEY_SEQUENCE, PortRange.DYNAMIC, 0));
    }

    @Test
    void rejectsBadKeysAndRanges() {
        assertThrows(
                IllegalArgumentException.class, () -> EncapsulationPorts.assign(new byte[8], PortRange.DYNAMIC, 1));
        assertThrows(IllegalArgumentException.class, () -> new PortRange(0, 10));
        assertThrows(IllegalArgumentException.class, () -> new PortRange(10, 9));
        assertThrows(IllegalArgumentException.class, () -> new PortRange(1, 65536));
    }
}
