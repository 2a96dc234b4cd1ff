package io.journeycep.pipeline.stages.journeys;

import java.util.Arrays;

/**
 * A user's open session: its scalars, its distinct transition pairs with their counts and its path's states (one
 * state value, read and written once per event); its event ids are append-only list state of their own, read only
 * when it closes.
 */
public class OpenSession {
    public String sessionKey;
    public String sessionId;
    public long firstTime;
    public long lastTime;
    public String lastState;
    public long transitions;
    /** States kept in {@link #path} so far (at most the max path length). */
    public int pathLength;
    /** The path's first states as codes ({@code JourneyStates.CODED}), {@link #pathLength} of them. */
    public byte[] path = new byte[0];
    /**
     * A registered event-time timer at or before {@code lastTime + gap + 1} that has not fired yet: the gap check. It is
     * re-armed when it fires and the session is still open, not moved on every event (README "Journeys").
     */
    public long gapTimer;
    /** Distinct pairs of the session as {@code from code * 16 + to code} ({@code JourneyStates.CODED}). */
    public int[] pairCodes = new int[0];
    /** Occurrences of each pair of {@link #pairCodes}. */
    public long[] pairCounts = new long[0];
    /**
     * The user's model's horizon timer when the session opened ({@link Long#MIN_VALUE}: no model), so the model is
     * read only when a session closes; {@code null} when unknown (then the model is read).
     */
    public Long modelHorizon;

    public OpenSession() {}

    /** Appends a state's code to the path. */
    void appendToPath(int code) {
        path = Arrays.copyOf(path, pathLength + 1); // exact: the array is stored as is
        path[pathLength] = (byte) code;
    }

    /** Adds one occurrence of a pair. */
    void addPair(int code) {
        for (int i = 0; i < pairCodes.length; i++) {
            if (pairCodes[i] == code) {
                pairCounts[i]++;
                return;
            }
        }
        pairCodes = Arrays.copyOf(pairCodes, pairCodes.length + 1);
        pairCounts = Arrays.copyOf(pairCounts, pairCounts.length + 1);
        pairCodes[pairCodes.length - 1] = code;
        pairCounts[pairCounts.length - 1] = 1;
    }
}
