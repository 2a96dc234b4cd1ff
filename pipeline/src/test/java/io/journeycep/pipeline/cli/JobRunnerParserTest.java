package io.journeycep.pipeline.cli;

import static org.assertj.core.api.Assertions.assertThat;

import io.journeycep.pipeline.config.JobConfig;
import io.journeycep.pipeline.ingest.EventParser;
import io.journeycep.pipeline.ingest.ParserSettings;
import org.junit.jupiter.api.Test;

/** The job's parser is built with the {@code parser} section of its config. */
class JobRunnerParserTest {

    @Test
    void theConfiguredNumberBoundsReachTheParser() {
        JobConfig config = new JobConfig();
        config.parser.maxPrice = 1e9;
        config.parser.maxQuantity = 1_000_000;
        EventParser parser = JobRunner.parser(config);
        assertThat(parser.settings().maxPrice()).isEqualTo(1e9);
        assertThat(parser.settings().maxQuantity()).isEqualTo(1_000_000);
    }

    @Test
    void withoutConfiguredBoundsTheParserHasTheDefaultOnes() {
        EventParser parser = JobRunner.parser(new JobConfig());
        assertThat(parser.settings().maxPrice()).isEqualTo(ParserSettings.DEFAULT_MAX_PRICE).isEqualTo(1e12);
        assertThat(parser.settings().maxQuantity()).isEqualTo(ParserSettings.DEFAULT_MAX_QUANTITY)
                .isEqualTo(1_000_000);
    }
}
