package io.journeycep.patterns.journey;

import io.journeycep.model.PrimitiveArrays;

import java.util.Arrays;
import java.util.Objects;

/**
 * One user's own Markov transition counts, with exponential decay in event time: an observation made at {@code t}
 * weighs {@code 2^(-(now - t) / halfLife)} at {@code now}, so it counts half after one half-life. Plain Java and a
 * Flink POJO (the session stage keeps one per user in keyed state).
 *
 * <p><b>Compact and sparse.</b> Only the pairs the user has are kept, as a sorted array of pair codes
 * ({@code from << 5 | to}, codes of {@link JourneyStates#CODED}) beside an array of counts decayed to
 * {@link #updatedAt}: about 17 bytes plus 10 per pair serialized (a user with 20 distinct pairs: about 220 bytes).
 * A count that decays below {@link #PRUNE_BELOW} is dropped (a single observation after about 6.6 half-lives), so
 * a user's model holds at most the 13 × 13 possible pairs and usually far fewer. From-totals are not stored: all
 * counts decay at the same rate, so a from-state's total is the sum of its pairs.
 *
 * <p><b>Order does not matter.</b> The counts at a time are {@code Σ n·2^(-(time - t)/halfLife)} over the
 * observations, whatever order they were added in: adding an observation older than {@link #updatedAt} adds its
 * decayed weight and leaves {@link #updatedAt} as it is. Pruning is applied after adding, so it does not depend on
 * the order either (up to floating-point rounding).
 *
 * <p><b>Reads</b> ({@link #count}, {@link #fromTotal}) decay to the asked time without changing the state, and leave
 * out what would be pruned by then; a time before {@link #updatedAt} reads the counts as they are at
 * {@link #updatedAt} (the model keeps no history).
 */
public class UserTransitionModel {
    /** Counts below this (after decay) are dropped. */
    public static final double PRUNE_BELOW = 0.01;

    private static final int SHIFT = 5; // up to 32 coded states: codes stay stable when states are appended
    private static final int MASK = (1 << SHIFT) - 1;

    /** The event time the counts are decayed to: the latest observation's time ({@link Long#MIN_VALUE}: none yet). */
    public long updatedAt = Long.MIN_VALUE;
    /** Pair codes {@code from << 5 | to}, ascending. */
    public short[] pairs = new short[0];
    /** The decayed count of each pair in {@link #pairs}, at {@link #updatedAt}. */
    public double[] counts = new double[0];

    public UserTransitionModel() {}

    /** The weight at {@code elapsedMs} after an observation: {@code 2^(-elapsed/halfLife)}, 1 for no time elapsed. */
    public static double decay(long elapsedMs, long halfLifeMs) {
        if (halfLifeMs <= 0) {
            throw new IllegalArgumentException("half-life must be > 0 ms, was " + halfLifeMs);
        }
        return elapsedMs <= 0 ? 1.0 : Math.pow(0.5, (double) elapsedMs / halfLifeMs);
    }

    /**
     * The smoothed {@code P(to | from) = (count + α) / (fromTotal + α·K)}, {@code K} = {@link JourneyStates#TARGETS}'
     * size, as for the global model ({@link TransitionModel}) but with decayed (fractional) counts.
     */
    public static double probability(double count, double fromTotal, double alpha) {
        return (count + alpha) / (fromTotal + alpha * JourneyStates.TARGETS.size());
    }

    public boolean isEmpty() {
        return pairs.length == 0;
    }

    /** How many distinct pairs the model holds. */
    public int size() {
        return pairs.length;
    }

    /**
     * Adds {@code n} observations of {@code from → to} made at {@code time}: the model is first decayed to
     * {@code time} when that is later than {@link #updatedAt}; an older observation is added with its decayed weight.
     * Counts below {@link #PRUNE_BELOW} are then dropped.
     */
    public void add(String from, String to, double n, long time, long halfLifeMs) {
        short code = code(from, to);
        if (!(n >= 0) || Double.isInfinite(n)) {
            throw new IllegalArgumentException("a count must be a finite number >= 0, was " + n);
        }
        double weight = n;
        if (updatedAt == Long.MIN_VALUE || time >= updatedAt) {
            scale(decay(updatedAt == Long.MIN_VALUE ? 0 : time - updatedAt, halfLifeMs));
            updatedAt = time;
        } else {
            weight = n * decay(updatedAt - time, halfLifeMs);
        }
        int i = Arrays.binarySearch(pairs, code);
        if (i >= 0) {
            counts[i] += weight;
        } else {
            int at = -i - 1;
            pairs = PrimitiveArrays.insert(pairs, at, code);
            counts = PrimitiveArrays.insert(counts, at, weight);
        }
        prune();
    }

    /** Decays the counts to {@code time} (nothing when it is not later than {@link #updatedAt}) and prunes. */
    public void decayTo(long time, long halfLifeMs) {
        if (updatedAt != Long.MIN_VALUE && time > updatedAt) {
            scale(decay(time - updatedAt, halfLifeMs));
            updatedAt = time;
            prune();
        }
    }

    /** The decayed count of {@code from → to} at {@code time}; 0 when the user has none (or it would be pruned). */
    public double count(String from, String to, long time, long halfLifeMs) {
        int i = Arrays.binarySearch(pairs, code(from, to));
        return i < 0 ? 0.0 : decayed(counts[i], time, halfLifeMs);
    }

    /** The decayed total of the user's transitions from {@code from} at {@code time}. */
    public double fromTotal(String from, long time, long halfLifeMs) {
        int f = JourneyStates.code(from);
        if (f < 0) {
            throw new IllegalArgumentException("not a journey state: " + from);
        }
        double sum = 0;
        for (int i = 0; i < pairs.length; i++) {
            if (pairs[i] >> SHIFT == f) {
                sum += decayed(counts[i], time, halfLifeMs);
            }
        }
        return sum;
    }

    /** The user's smoothed {@code P(to | from)} at {@code time}. */
    public double probability(String from, String to, long time, long halfLifeMs, double alpha) {
        return probability(count(from, to, time, halfLifeMs), fromTotal(from, time, halfLifeMs), alpha);
    }

    private double decayed(double count, long time, long halfLifeMs) {
        double c = count * decay(time - updatedAt, halfLifeMs);
        return c < PRUNE_BELOW ? 0.0 : c;
    }

    private void scale(double factor) {
        if (factor != 1.0) {
            for (int i = 0; i < counts.length; i++) {
                counts[i] *= factor;
            }
        }
    }

    private void prune() {
        int kept = 0;
        for (int i = 0; i < pairs.length; i++) {
            if (counts[i] >= PRUNE_BELOW) {
                pairs[kept] = pairs[i];
                counts[kept] = counts[i];
                kept++;
            }
        }
        if (kept < pairs.length) {
            pairs = Arrays.copyOf(pairs, kept);
            counts = Arrays.copyOf(counts, kept);
        }
    }

    private static short code(String from, String to) {
        Objects.requireNonNull(from, "from");
        Objects.requireNonNull(to, "to");
        int f = JourneyStates.code(from);
        int t = JourneyStates.code(to);
        if (f < 0 || t < 0 || f > MASK || t > MASK) {
            throw new IllegalArgumentException("not a journey transition: " + from + " -> " + to);
        }
        return (short) (f << SHIFT | t);
    }



    @Override
    public String toString() {
        StringBuilder sb = new StringBuilder("UserTransitionModel{@").append(updatedAt);
        for (int i = 0; i < pairs.length; i++) {
            sb.append(' ').append(JourneyStates.CODED.get(pairs[i] >> SHIFT)).append('>')
                    .append(JourneyStates.CODED.get(pairs[i] & MASK)).append('=').append(counts[i]);
        }
        return sb.append('}').toString();
    }
}
