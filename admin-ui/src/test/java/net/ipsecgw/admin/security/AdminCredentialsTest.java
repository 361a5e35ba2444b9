package net.ipsecgw.admin.security;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import net.ipsecgw.ike.config.Secret;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.springframework.security.core.userdetails.UserDetails;
import org.springframework.security.crypto.factory.PasswordEncoderFactories;
import org.springframework.security.crypto.password.PasswordEncoder;

class AdminCredentialsTest {
    @TempDir
    Path state;

    private final PasswordEncoder encoder = PasswordEncoderFactories.createDelegatingPasswordEncoder();
    private final List<String> shown = new ArrayList<>();

    @Test
    void firstStartGeneratesAPasswordShownOnceAndStoresOnlyItsHash() throws IOException {
        AdminCredentials first = AdminCredentials.loadOrCreate(state, "admin", null, encoder, shown::add);
        assertThat(shown).hasSize(1);
        String password = shown.getFirst();
        assertThat(password).hasSizeGreaterThanOrEqualTo(16);
        String file = Files.readString(state.resolve(AdminCredentials.FILE_NAME));
        assertThat(file).startsWith("admin:{bcrypt}").doesNotContain(password);
        UserDetails user = first.findByUsername("admin").block();
        assertThat(encoder.matches(password, user.getPassword())).isTrue();

        AdminCredentials.loadOrCreate(state, "admin", null, encoder, shown::add);
        assertThat(shown).hasSize(1);
    }

    @Test
    void installerPasswordIsUsedAndNeverShown() {
        AdminCredentials credentials = AdminCredentials.loadOrCreate(
                state, "operator", Secret.valueOf("from-the-installer"), encoder, shown::add);
        assertThat(shown).isEmpty();
        UserDetails user = credentials.findByUsername("operator").block();
        assertThat(encoder.matches("from-the-installer", user.getPassword())).isTrue();
        assertThat(credentials.findByUsername("admin").blockOptional()).isEmpty();
    }
}
