package net.ipsecgw.admin.gateway;

import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Deque;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.function.Consumer;

/**
 * The most recent events (IKE's and the appliance's own), newest first, for the log page; and the
 * fan-out of each event to listeners such as the IKE metrics. Any thread; listeners run on the
 * thread that records the event and must not block.
 */
public final class IkeEventLog {
    private final int capacity;
    private final Deque<IkeEvent> events = new ArrayDeque<>();
    private final List<Consumer<IkeEvent>> listeners = new CopyOnWriteArrayList<>();

    /** Keeps the last {@code capacity} events. */
    public IkeEventLog(int capacity) {
        this.capacity = capacity;
    }

    /** Records {@code event} and tells the listeners. */
    public void record(IkeEvent event) {
        synchronized (events) {
            events.addFirst(event);
            if (events.size() > capacity) {
                events.removeLast();
            }
        }
        listeners.forEach(listener -> listener.accept(event));
    }

    /** The newest {@code limit} events, newest first. */
    public List<IkeEvent> recent(int limit) {
        synchronized (events) {
            return new ArrayList<>(events).subList(0, Math.min(Math.max(limit, 0), events.size()));
        }
    }

    /** Calls {@code listener} for every event recorded from now on. */
    public void addListener(Consumer<IkeEvent> listener) {
        listeners.add(listener);
    }
}
