package io.journeycep.pipeline.ingest;

import java.io.Serializable;

/** Wall-clock time for the parser (future-time bound, rejection time); injectable so tests are deterministic. */
@FunctionalInterface
public interface WallClock extends Serializable {
    /** Current wall-clock time, epoch milliseconds. */
    long nowMillis();

    /** The system clock. */
    static WallClock system() {
        return SystemClock.INSTANCE;
    }

    /** A clock that always returns {@code millis}. */
    static WallClock fixed(long millis) {
        return new FixedClock(millis);
    }

    /** The system clock as a serializable singleton. */
    enum SystemClock implements WallClock {
        INSTANCE;

        @Override
        public long nowMillis() {
            return System.currentTimeMillis();
        }
    }

    /** A fixed clock. */
    final class FixedClock implements WallClock {
        private static final long serialVersionUID = 1L;
        private final long millis;

        FixedClock(long millis) {
            this.millis = millis;
        }

        @Override
        public long nowMillis() {
            return millis;
        }
    }
}
