package io.journeycep.pipeline.rules;

import io.journeycep.patterns.spec.Finding;
import io.journeycep.patterns.spec.PatternSpec;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.config.JobConfig;

import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

import java.util.ArrayList;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Set;

/**
 * The patterns and velocity rules a job runs: the patterns of the rules files in {@code patterns.files} (linted
 * first: any error fails the start with every message), and the velocity rules: those of the rules files when any
 * file has a {@code velocity:} list (they replace the config's), else the config's.
 */
public final class JobRules {
    private static final Logger LOG = LoggerFactory.getLogger(JobRules.class);

    /** The user-defined patterns of the rules files, in file order. */
    public final List<PatternSpec> userPatterns;
    public final List<VelocityRule> velocityRules;
    public final List<Finding> warnings;

    private JobRules(List<PatternSpec> userPatterns, List<VelocityRule> velocityRules, List<Finding> warnings) {
        this.userPatterns = userPatterns;
        this.velocityRules = velocityRules;
        this.warnings = warnings;
    }

    /** Lints and loads the config's rules files; throws {@link io.journeycep.pipeline.config.ConfigException}. */
    public static JobRules of(JobConfig config) {
        if (config.patterns.files.isEmpty()) {
            return new JobRules(List.of(), config.velocity.effectiveRules(), List.of());
        }
        RulesLinter.Result r = RulesLinter.loadOrFail(config.patterns.files, config.patterns.maxWindow);
        for (Finding w : r.warnings()) {
            LOG.warn("rules: {}", w.format());
        }
        List<VelocityRule> velocity = r.velocity == null ? config.velocity.effectiveRules()
                : config.velocity.enabled ? r.velocityRules() : List.of();
        return new JobRules(new ArrayList<>(r.patterns), velocity, r.warnings());
    }

    /** Every rule id the job can alert with: the given patterns', then the velocity rules', for per-rule counts. */
    public List<String> ruleIds(List<PatternSpec> patterns) {
        Set<String> ids = new LinkedHashSet<>();
        patterns.forEach(p -> ids.add(p.id));
        velocityRules.forEach(v -> ids.add(v.ruleId));
        return new ArrayList<>(ids);
    }
}
