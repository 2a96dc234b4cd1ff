package io.journeycep.pipeline.ingest;

import java.io.Serializable;

/** Parses one raw line of a replay file; {@code null} means "skip this line" (a CSV header). */
@FunctionalInterface
interface LineParser extends Serializable {
    IngestRecord parse(byte[] line, String source, long lineNumber);
}
