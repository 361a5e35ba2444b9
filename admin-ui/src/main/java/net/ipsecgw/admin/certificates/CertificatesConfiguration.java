package net.ipsecgw.admin.certificates;

import net.ipsecgw.admin.system.ApplianceProperties;
import org.springframework.context.annotation.Bean;
import org.springframework.context.annotation.Configuration;

/** The certificate store, under the state directory. */
@Configuration(proxyBeanMethods = false)
class CertificatesConfiguration {
    @Bean
    CertificateStore certificateStore(ApplianceProperties appliance) {
        return new CertificateStore(appliance.stateDirectory().resolve("certificates"));
    }
}
