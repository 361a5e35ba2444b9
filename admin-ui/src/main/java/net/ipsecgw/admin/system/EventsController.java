package net.ipsecgw.admin.system;

import java.util.List;
import net.ipsecgw.admin.gateway.GatewayControl;
import net.ipsecgw.admin.gateway.IkeEvent;
import org.springframework.web.bind.annotation.GetMapping;
import org.springframework.web.bind.annotation.RequestParam;
import org.springframework.web.bind.annotation.RestController;

/** The log page's data: recent IKE events and the appliance's own, newest first. */
@RestController
class EventsController {
    private final GatewayControl gateway;

    EventsController(GatewayControl gateway) {
        this.gateway = gateway;
    }

    @GetMapping("/api/events")
    List<IkeEvent> events(@RequestParam(defaultValue = "200") int limit) {
        return gateway.recentEvents(Math.min(Math.max(limit, 1), 500));
    }
}
