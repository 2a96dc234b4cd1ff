package io.journeycep.pipeline.stages.consent;

import io.journeycep.sinks.Alert;
import io.journeycep.sinks.AlertKind;
import io.journeycep.sinks.SegmentAction;
import io.journeycep.sinks.SegmentChange;

import java.io.Serializable;
import java.time.Duration;
import java.util.Collections;
import java.util.EnumMap;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.TreeSet;

import javax.annotation.Nullable;

/**
 * Which of the user's pass outputs need which consent category (README "Consent"), and what a user never seen with a
 * consent object counts as. Immutable; validated by {@code JobConfig} (the config's {@code consent} section).
 *
 * <p>A trigger needs its category granted in the user's consent in force at the trigger's event time. Alert kinds map
 * to a category ({@link #categoryOf}); a kind without one is not gated (the risk alerts by default). A segment change
 * is a marketing trigger when its segment is listed ({@link #segmentCategories}, {@code "*"} for every segment): its
 * ENTER needs the category; its EXIT is always sent, since withholding it would leave the user in a marketing
 * audience after the consent was withdrawn.
 */
public final class ConsentSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    /** The category marketing triggers need by default. */
    public static final String MARKETING = "Marketing";
    /** The key of {@link #segmentCategories} that stands for every segment not listed by name. */
    public static final String EVERY_SEGMENT = "*";
    /** Default: how long a user's consent is kept after the latest event that carried one. */
    public static final Duration DEFAULT_RETENTION = Duration.ofDays(400);

    private final boolean grantedWithoutConsent;
    private final EnumMap<AlertKind, String> alertCategories;
    private final Map<String, String> segmentCategories;
    private final long retentionMs;

    /**
     * @param grantedWithoutConsent whether a user never seen with a consent object has every category granted
     * @param alertCategories the category each gated alert kind needs (kinds not in it are not gated)
     * @param segmentCategories the category an ENTER of each marketing segment needs ({@value #EVERY_SEGMENT}: any
     *     segment not listed)
     * @param retention how long a user's consent is kept after the latest event that carried one
     */
    public ConsentSettings(boolean grantedWithoutConsent, Map<AlertKind, String> alertCategories,
            Map<String, String> segmentCategories, Duration retention) {
        this.grantedWithoutConsent = grantedWithoutConsent;
        this.alertCategories = alertCategories.isEmpty() ? new EnumMap<>(AlertKind.class)
                : new EnumMap<>(alertCategories);
        this.segmentCategories = Collections.unmodifiableMap(new LinkedHashMap<>(segmentCategories));
        this.retentionMs = retention.toMillis();
        if (retentionMs <= 0) {
            throw new IllegalArgumentException("the consent retention must be positive, was " + retention);
        }
        this.alertCategories.values().forEach(c -> Objects.requireNonNull(c, "category"));
    }

    /**
     * Granted without consent; CART_ABANDONED, HIGH_VALUE_BROWSING and JOURNEY_PATTERN need {@value #MARKETING}; no
     * segment is a marketing one; consent kept {@link #DEFAULT_RETENTION}.
     */
    public static ConsentSettings defaults() {
        return new ConsentSettings(true, defaultAlertCategories(), Map.of(), DEFAULT_RETENTION);
    }

    /** The marketing alert kinds of the pass, each needing {@value #MARKETING}. */
    public static Map<AlertKind, String> defaultAlertCategories() {
        EnumMap<AlertKind, String> m = new EnumMap<>(AlertKind.class);
        m.put(AlertKind.CART_ABANDONED, MARKETING);
        m.put(AlertKind.HIGH_VALUE_BROWSING, MARKETING);
        m.put(AlertKind.JOURNEY_PATTERN, MARKETING);
        return m;
    }

    public boolean grantedWithoutConsent() {
        return grantedWithoutConsent;
    }

    public long retentionMs() {
        return retentionMs;
    }

    public Map<AlertKind, String> alertCategories() {
        return Collections.unmodifiableMap(alertCategories);
    }

    public Map<String, String> segmentCategories() {
        return segmentCategories;
    }

    /**
     * The category {@code record} needs to leave the pass, or {@code null} when it is not gated (an alert kind without
     * a category, an EXIT, an ENTER of a segment not listed, anything else).
     */
    @Nullable
    public String categoryOf(Object record) {
        if (record instanceof Alert a) {
            return a.kind == null ? null : alertCategories.get(a.kind);
        }
        if (record instanceof SegmentChange c && c.action == SegmentAction.ENTER) {
            String category = segmentCategories.get(c.segment);
            return category != null ? category : segmentCategories.get(EVERY_SEGMENT);
        }
        return null;
    }

    /** Every category some trigger needs: the only ones a user's state keeps. */
    public Set<String> categories() {
        Set<String> all = new TreeSet<>(alertCategories.values());
        all.addAll(segmentCategories.values());
        return all;
    }

    @Override
    public String toString() {
        return "ConsentSettings{grantedWithoutConsent=" + grantedWithoutConsent + ", alerts=" + alertCategories
                + ", segments=" + segmentCategories + ", retentionMs=" + retentionMs + '}';
    }
}
