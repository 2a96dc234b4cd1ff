package io.journeycep.pipeline.report;

import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;

/**
 * The Markov graph of {@code journey_transitions}: a session's path is {@code START → event type … → EXIT}, so
 * {@code P(to | from)} is the transition's count over every transition out of {@code from}, the number of sessions
 * is the count out of {@code START}, and the sessions that ended at a state are its count into {@code EXIT}.
 */
public final class JourneyGraph {
    public static final String START = "START";
    public static final String EXIT = "EXIT";

    /** Column of a state in the flow diagram, left to right: entry, browsing, cart, checkout, purchase, end. */
    private static final Map<String, Integer> COLUMN = Map.ofEntries(
            Map.entry(START, 0),
            Map.entry("login", 1), Map.entry("signup", 1), Map.entry("login_failed", 1), Map.entry("search", 1),
            Map.entry("page", 1), Map.entry("other", 1),
            Map.entry("view", 2),
            Map.entry("cart_add", 3), Map.entry("cart_remove", 3),
            Map.entry("checkout", 4), Map.entry("payment_failed", 4),
            Map.entry("purchase", 5),
            Map.entry(EXIT, 6));

    private static final Map<String, String> LABEL = Map.ofEntries(
            Map.entry(START, "Session start"), Map.entry(EXIT, "Left the site"),
            Map.entry("view", "Product view"), Map.entry("cart_add", "Add to cart"),
            Map.entry("cart_remove", "Remove from cart"), Map.entry("checkout", "Checkout"),
            Map.entry("purchase", "Purchase"), Map.entry("login", "Login"), Map.entry("login_failed", "Failed login"),
            Map.entry("payment_failed", "Failed payment"), Map.entry("signup", "Sign-up"),
            Map.entry("search", "Search"), Map.entry("page", "Page view"), Map.entry("other", "Other event"));

    /** One edge with its count and probability. */
    public record Edge(String from, String to, long count, double probability) {}

    /** A state's share of sessions that ended there, and its exit rate {@code P(EXIT | state)}. */
    public record DropOff(String state, long sessionsEnded, double shareOfSessions, double exitRate) {}

    private final Map<String, Map<String, Long>> counts = new TreeMap<>();
    private final Map<String, Long> outTotals = new TreeMap<>();
    private final Map<String, Long> inTotals = new TreeMap<>();

    public JourneyGraph(List<ReportData.Transition> transitions) {
        for (ReportData.Transition t : transitions) {
            if (t.count() <= 0) {
                continue;
            }
            counts.computeIfAbsent(t.from(), k -> new TreeMap<>()).merge(t.to(), t.count(), Long::sum);
            outTotals.merge(t.from(), t.count(), Long::sum);
            inTotals.merge(t.to(), t.count(), Long::sum);
        }
    }

    public boolean isEmpty() {
        return counts.isEmpty();
    }

    /** Sessions counted: transitions out of {@code START}. */
    public long sessions() {
        return outTotals.getOrDefault(START, 0L);
    }

    /** Every state, in diagram order (column, then name). */
    public List<String> states() {
        java.util.Set<String> all = new java.util.TreeSet<>(outTotals.keySet());
        all.addAll(inTotals.keySet());
        List<String> out = new ArrayList<>(all);
        out.sort(Comparator.comparingInt(JourneyGraph::column).thenComparing(Comparator.naturalOrder()));
        return out;
    }

    /** Every edge with {@code P(to | from)}, by from state (diagram order), then most likely first. */
    public List<Edge> edges() {
        List<Edge> out = new ArrayList<>();
        for (String from : states()) {
            Map<String, Long> row = counts.get(from);
            if (row == null) {
                continue;
            }
            long total = outTotals.get(from);
            row.entrySet().stream()
                    .sorted(Map.Entry.<String, Long>comparingByValue().reversed().thenComparing(Map.Entry.comparingByKey()))
                    .forEach(e -> out.add(new Edge(from, e.getKey(), e.getValue(), (double) e.getValue() / total)));
        }
        return out;
    }

    /**
     * The flow through a state, for the node's size: visits into it from other states, or out of it to other
     * states, whichever is larger (repeats of the same state, such as view → view, are not counted twice).
     */
    public long throughput(String state) {
        long self = counts.getOrDefault(state, Map.of()).getOrDefault(state, 0L);
        return Math.max(inTotals.getOrDefault(state, 0L) - self, outTotals.getOrDefault(state, 0L) - self);
    }

    /** For each state other than START and EXIT with sessions ending there: how many, what share, exit rate. */
    public List<DropOff> dropOff() {
        long sessions = sessions();
        List<DropOff> out = new ArrayList<>();
        for (String s : states()) {
            if (s.equals(START) || s.equals(EXIT)) {
                continue;
            }
            long ended = counts.getOrDefault(s, Map.of()).getOrDefault(EXIT, 0L);
            long total = outTotals.getOrDefault(s, 0L);
            out.add(new DropOff(s, ended, sessions == 0 ? 0 : (double) ended / sessions,
                    total == 0 ? 0 : (double) ended / total));
        }
        out.sort(Comparator.comparingLong(DropOff::sessionsEnded).reversed().thenComparing(DropOff::state));
        return out;
    }

    /** The diagram column of a state (states the report does not know go with the entry events). */
    public static int column(String state) {
        return COLUMN.getOrDefault(state, 1);
    }

    /** A marketer's name for a state: "Add to cart" for {@code cart_add}; unknown states keep their name. */
    public static String label(String state) {
        return LABEL.getOrDefault(state, state);
    }

    /** Sum of {@code P(to | from)} over every edge out of {@code from}: 1 for a state with transitions. */
    double probabilitySum(String from) {
        return edges().stream().filter(e -> e.from().equals(from)).mapToDouble(Edge::probability).sum();
    }
}
