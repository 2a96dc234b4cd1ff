package io.journeycep.patterns;

import org.apache.flink.cep.nfa.aftermatch.AfterMatchSkipStrategy;
import org.apache.flink.cep.pattern.Pattern;

/**
 * One Flink CEP pattern of the library. Each implementation is one class, names its steps, and states its
 * after-match skip strategy explicitly rather than inheriting CEP's default (NO_SKIP), because the skip strategy
 * decides how many alerts one run of events produces.
 *
 * @param <T> the event type the pattern runs over
 */
public interface JourneyPattern<T> {

    /** Stable name of the pattern; used in operator names and uids, so renaming it breaks savepoint compatibility. */
    String name();

    /** The skip strategy the pattern is built with. */
    AfterMatchSkipStrategy skipStrategy();

    /** The compiled-to-be CEP pattern; built with {@link #skipStrategy()}. */
    Pattern<T, ?> pattern();
}
