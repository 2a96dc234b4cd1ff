package io.journeycep.pipeline.report;

import java.time.DayOfWeek;
import java.time.Duration;
import java.time.Instant;
import java.time.LocalDateTime;
import java.time.ZoneOffset;
import java.time.format.DateTimeFormatter;
import java.time.temporal.ChronoUnit;
import java.time.temporal.TemporalAdjusters;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;

/**
 * The width of a time-series bucket (UTC): hours for a window of up to 3 days, days up to 200 days, weeks (from
 * Monday) beyond, so that a chart has between a few and a few hundred bars.
 */
public enum Bucket {
    HOUR("hour", "per hour", DateTimeFormatter.ofPattern("MMM d HH:mm", Locale.ENGLISH)),
    DAY("day", "per day", DateTimeFormatter.ofPattern("MMM d", Locale.ENGLISH)),
    WEEK("week", "per week", DateTimeFormatter.ofPattern("'wk' MMM d", Locale.ENGLISH));

    /** The unit for PostgreSQL's {@code date_trunc}. */
    public final String sqlUnit;
    /** "per day", for titles and axes. */
    public final String per;
    private final DateTimeFormatter label;

    Bucket(String sqlUnit, String per, DateTimeFormatter label) {
        this.sqlUnit = sqlUnit;
        this.per = per;
        this.label = label;
    }

    /** The bucket width for data between {@code first} and {@code last}. */
    public static Bucket forSpan(Instant first, Instant last) {
        if (first == null || last == null) {
            return DAY;
        }
        Duration span = Duration.between(first, last);
        if (span.compareTo(Duration.ofDays(3)) <= 0) {
            return HOUR;
        }
        return span.compareTo(Duration.ofDays(200)) <= 0 ? DAY : WEEK;
    }

    /** The start of the bucket holding {@code t}, as {@code date_trunc(unit, t AT TIME ZONE 'UTC')}. */
    public Instant start(Instant t) {
        LocalDateTime l = LocalDateTime.ofInstant(t, ZoneOffset.UTC);
        switch (this) {
            case HOUR:
                l = l.truncatedTo(ChronoUnit.HOURS);
                break;
            case DAY:
                l = l.truncatedTo(ChronoUnit.DAYS);
                break;
            default:
                l = l.truncatedTo(ChronoUnit.DAYS).with(TemporalAdjusters.previousOrSame(DayOfWeek.MONDAY));
        }
        return l.toInstant(ZoneOffset.UTC);
    }

    /** The start of the next bucket. */
    public Instant next(Instant bucketStart) {
        switch (this) {
            case HOUR:
                return bucketStart.plus(1, ChronoUnit.HOURS);
            case DAY:
                return bucketStart.plus(1, ChronoUnit.DAYS);
            default:
                return bucketStart.plus(7, ChronoUnit.DAYS);
        }
    }

    /** Every bucket start from the bucket of {@code first} to that of {@code last}, both included. */
    public List<Instant> range(Instant first, Instant last) {
        List<Instant> out = new ArrayList<>();
        for (Instant b = start(first); !b.isAfter(last); b = next(b)) {
            out.add(b);
        }
        return out;
    }

    /** A short label for an axis: "Oct 3", "Oct 3 14:00", "wk Oct 3". */
    public String label(Instant bucketStart) {
        return label.format(LocalDateTime.ofInstant(bucketStart, ZoneOffset.UTC));
    }
}
