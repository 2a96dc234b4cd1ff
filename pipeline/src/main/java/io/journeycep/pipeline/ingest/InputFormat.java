package io.journeycep.pipeline.ingest;

/** How a replay file is laid out: one JSON object per line (either shape), or CSV rows under a {@link CsvMapping}. */
public enum InputFormat {
    JSONL,
    CSV
}
