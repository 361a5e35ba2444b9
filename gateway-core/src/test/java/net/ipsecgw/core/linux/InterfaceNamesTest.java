package net.ipsecgw.core.linux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class InterfaceNamesTest {

    @Test
    void acceptsFifteenCharactersAndRejectsSixteenSayingWhy() {
        assertEquals("abcdefghijklmno", InterfaceNames.requireValid("abcdefghijklmno"));
        IllegalArgumentException e =
                assertThrows(IllegalArgumentException.class, () -> InterfaceNames.requireValid("abcdefghijklmnop"));
        assertTrue(e.getMessage().contains("too long"), e.getMessage());
        assertTrue(e.getMessage().contains("at most 15"), e.getMessage());
    }

    @Test
    void rejectsWhatTheKernelRejects() {
        for (String bad : new String[] {"", ".", "..", "a b", "a/b", "a:b", "tün", "a\tb"}) {
            assertThrows(IllegalArgumentException.class, () -> InterfaceNames.requireValid(bad), bad);
        }
        assertThrows(IllegalArgumentException.class, () -> InterfaceNames.requireValid(null));
    }

    @Test
    void tunDeviceOpenRejectsALongNameBeforeAnySystemCall() {
        IllegalArgumentException e = assertThrows(
                IllegalArgumentException.class,
                () -> TunDevice.open("gateway-tun-device0", 1, 1400, TunFdMode.NON_BLOCKING));
        assertTrue(e.getMessage().contains("'gateway-tun-device0' is too long"), e.getMessage());
    }
}
