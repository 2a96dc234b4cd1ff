package io.journeycep.pipeline.stages.abandonment;

import io.journeycep.model.EventType;
import io.journeycep.model.JourneyEvent;
import io.journeycep.patterns.PatternStep;
import io.journeycep.patterns.cart.CartStep;

import org.apache.flink.api.common.functions.OpenContext;
import org.apache.flink.api.common.state.ListState;
import org.apache.flink.api.common.state.ListStateDescriptor;
import org.apache.flink.streaming.api.functions.KeyedProcessFunction;
import org.apache.flink.util.Collector;

import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;

/**
 * Feeds the cart-abandonment CEP stage: per user, remembers recent views and releases cart adds and purchases as
 * {@link CartStep}s in event-time order (ties by source position), each cart add carrying the views at most the
 * look-back before it.
 *
 * <p>Why a look-back instead of a {@code view} step inside CEP: views are the bulk of a clickstream, and in CEP each
 * would start a partial match with its own buffered element and timers for the whole look-back. On RocksDB that is
 * what makes Flink CEP crawl (hundreds of events/s, see docs/BENCHMARKS.md). Here a view costs one RocksDB list
 * append and one (de-duplicated) timer registration, and CEP sees only the few events its pattern is about.
 *
 * <p>Out-of-order input inside the allowed lateness is handled like CEP handles it: a cart add or purchase is held
 * until the watermark passes its timestamp, so every earlier view that is not late has arrived by then. Late events
 * never reach this function (the dedupe stage routes them to the late output).
 *
 * <p>State is bounded by timers: held steps leave at their own timestamp; views are pruned when the watermark has
 * passed them by the look-back, from a cleanup timer rounded up to a look-back-sized bucket so a busy user registers
 * at most one new timer per bucket.
 */
public class CartLookback extends KeyedProcessFunction<String, JourneyEvent, CartStep> {
    private static final long serialVersionUID = 1L;
    /** Views attached to one cart add, newest kept: enough evidence, bounded size. */
    static final int MAX_VIEWS_PER_CART = 20;
    static final String VIEWS_STATE = "recent-views";
    static final String HELD_STATE = "held-cart-steps";

    private final long lookbackMillis;

    private transient ListState<ViewRef> views;
    private transient ListState<CartStep> held;

    /** @param lookback how long before a cart add a view still counts (inclusive) */
    public CartLookback(Duration lookback) {
        if (lookback == null || lookback.isNegative() || lookback.isZero()) {
            throw new IllegalArgumentException("view look-back must be positive, was " + lookback);
        }
        this.lookbackMillis = lookback.toMillis();
    }

    @Override
    public void open(OpenContext openContext) {
        views = getRuntimeContext().getListState(new ListStateDescriptor<>(VIEWS_STATE, ViewRef.class));
        held = getRuntimeContext().getListState(new ListStateDescriptor<>(HELD_STATE, CartStep.class));
    }

    @Override
    public void processElement(JourneyEvent event, Context ctx, Collector<CartStep> out) throws Exception {
        if (event.type == EventType.VIEW) {
            views.add(new ViewRef(event.eventId, event.timestamp, event.position, event.itemId));
            ctx.timerService().registerEventTimeTimer(cleanupTime(event.timestamp));
        } else if (event.type == EventType.CART_ADD || event.type == EventType.PURCHASE) {
            held.add(PatternStep.copyOf(event, new CartStep()));
            ctx.timerService().registerEventTimeTimer(event.timestamp);
        }
    }

    @Override
    public void onTimer(long timestamp, OnTimerContext ctx, Collector<CartStep> out) throws Exception {
        List<ViewRef> recent = toList(views.get());
        List<CartStep> due = new ArrayList<>();
        List<CartStep> later = new ArrayList<>();
        for (CartStep step : held.get()) {
            (step.timestamp <= timestamp ? due : later).add(step);
        }
        if (!due.isEmpty()) {
            due.sort(Comparator.comparingLong((CartStep s) -> s.timestamp).thenComparingLong(s -> s.seq));
            for (CartStep step : due) {
                if (step.type == EventType.CART_ADD) {
                    attachViews(step, recent);
                }
                out.collect(step);
            }
            held.update(later);
        }
        pruneViews(recent, timestamp, ctx);
    }

    /** Attaches the views in {@code [cart - lookback, cart]}; at equal timestamps only views that arrived first. */
    private void attachViews(CartStep cart, List<ViewRef> recent) {
        List<ViewRef> qualifying = new ArrayList<>();
        for (ViewRef view : recent) {
            boolean before = view.timestamp < cart.timestamp
                    || (view.timestamp == cart.timestamp && view.seq < cart.seq);
            if (before && view.timestamp >= cart.timestamp - lookbackMillis) {
                qualifying.add(view);
            }
        }
        qualifying.sort(Comparator.comparingLong((ViewRef v) -> v.timestamp).thenComparingLong(v -> v.seq));
        if (qualifying.size() > MAX_VIEWS_PER_CART) {
            qualifying = qualifying.subList(qualifying.size() - MAX_VIEWS_PER_CART, qualifying.size());
        }
        cart.viewEventIds = new String[qualifying.size()];
        cart.viewItemIds = new String[qualifying.size()];
        for (int i = 0; i < qualifying.size(); i++) {
            cart.viewEventIds[i] = qualifying.get(i).eventId;
            cart.viewItemIds[i] = qualifying.get(i).itemId;
        }
        cart.lastViewTime = qualifying.isEmpty() ? Long.MIN_VALUE : qualifying.get(qualifying.size() - 1).timestamp;
    }

    /**
     * Drops views no later cart add can use. Timers fire in timestamp order, so every cart add still held or still
     * to come has a timestamp above {@code now} (the firing timer's time, not the watermark, which may have jumped
     * past held ones): a view older than {@code now - lookback} can no longer qualify one.
     */
    private void pruneViews(List<ViewRef> recent, long now, OnTimerContext ctx) throws Exception {
        if (recent.isEmpty()) {
            return;
        }
        long oldestUseful = now - lookbackMillis;
        List<ViewRef> kept = new ArrayList<>(recent.size());
        long newest = Long.MIN_VALUE;
        for (ViewRef view : recent) {
            if (view.timestamp >= oldestUseful) {
                kept.add(view);
                newest = Math.max(newest, view.timestamp);
            }
        }
        if (kept.isEmpty()) {
            views.clear();
        } else {
            if (kept.size() != recent.size()) {
                views.update(kept);
            }
            ctx.timerService().registerEventTimeTimer(cleanupTime(newest));
        }
    }

    /** When a view at {@code viewTime} is surely useless, rounded up to a look-back-sized bucket. */
    private long cleanupTime(long viewTime) {
        long due = viewTime + lookbackMillis + 1;
        long bucket = lookbackMillis;
        return Math.floorDiv(due + bucket - 1, bucket) * bucket;
    }


    private static <T> List<T> toList(Iterable<T> iterable) {
        List<T> list = new ArrayList<>();
        if (iterable != null) {
            iterable.forEach(list::add);
        }
        return list;
    }
}
