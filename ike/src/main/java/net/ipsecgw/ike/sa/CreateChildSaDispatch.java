package net.ipsecgw.ike.sa;

import java.util.List;
import net.ipsecgw.ike.message.IkeMessage;
import net.ipsecgw.ike.message.NotifyType;
import net.ipsecgw.ike.message.ProtocolId;
import net.ipsecgw.ike.message.SaPayload;

/**
 * Which task answers a CREATE_CHILD_SA request (RFC 7296 §1.3): an IKE SA rekey (the SA payload
 * proposes protocol IKE), a Child SA rekey (N(REKEY_SA)), a per-CPU Child SA (N(SA_RESOURCE_INFO)),
 * or a new Child SA.
 */
final class CreateChildSaDispatch {
    private CreateChildSaDispatch() {}

    static List<Task> responderTasks(IkeSa sa, IkeMessage request) {
        boolean ikeRekey = request.first(SaPayload.class)
                .map(p -> !p.proposals().isEmpty()
                        && p.proposals().getFirst().protocol().equals(ProtocolId.IKE))
                .orElse(false);
        if (ikeRekey) {
            return List.of(new IkeRekeyTask(sa));
        }
        if (request.notify(NotifyType.REKEY_SA).isPresent()) {
            return List.of(ChildRekeyTask.responder(sa));
        }
        if (request.notify(NotifyType.SA_RESOURCE_INFO).isPresent()) {
            return List.of(new PerCpuSaTask(sa, 0));
        }
        return List.of(new ChildCreateTask(sa, false, net.ipsecgw.ike.dataplane.ChildSaSpec.FALLBACK));
    }
}
