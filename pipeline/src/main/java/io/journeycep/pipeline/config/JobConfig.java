package io.journeycep.pipeline.config;

import io.journeycep.model.Durations;
import io.journeycep.patterns.segments.RfmScoring;
import io.journeycep.patterns.segments.SegmentBook;
import io.journeycep.patterns.segments.SegmentDefinition;
import io.journeycep.patterns.spec.SourceLines;
import io.journeycep.patterns.velocity.VelocityRule;
import io.journeycep.pipeline.privacy.Pseudonymizer;
import io.journeycep.pipeline.stages.consent.ConsentSettings;
import io.journeycep.pipeline.stages.groups.GroupSettings;
import io.journeycep.sinks.AlertKind;

import com.fasterxml.jackson.core.JsonParser;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.DeserializationContext;
import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonDeserializer;
import com.fasterxml.jackson.databind.JsonMappingException;
import com.fasterxml.jackson.databind.MapperFeature;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.PropertyNamingStrategies;
import com.fasterxml.jackson.databind.json.JsonMapper;
import com.fasterxml.jackson.databind.module.SimpleModule;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;

import java.io.IOException;
import java.io.Serializable;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * The whole job's configuration, in one place (a YAML file, {@code flink-conf/job.yaml} documents every field).
 * Loaded by {@link #load(Path)}, which fails fast with the file, line and field at fault. Secrets are never in the
 * file: only the names of environment variables or files that hold them.
 */
public final class JobConfig implements Serializable {
    private static final long serialVersionUID = 1L;

    public enum SourceType { KAFKA, FILES }

    public enum FileFormat { JSONL, CSV }

    public enum StateBackend { ROCKSDB, HASHMAP }

    public Source source = new Source();
    public EventTime eventTime = new EventTime();
    public Parser parser = new Parser();
    public Dedupe dedupe = new Dedupe();
    public Identity identity = new Identity();
    public CartAbandonment cartAbandonment = new CartAbandonment();
    public HighValueBrowsing highValueBrowsing = new HighValueBrowsing();
    public Velocity velocity = new Velocity();
    public Drift drift = new Drift();
    public Patterns patterns = new Patterns();
    public Journeys journeys = new Journeys();
    public Segments segments = new Segments();
    public Outputs outputs = new Outputs();
    public Privacy privacy = new Privacy();
    public Consent consent = new Consent();
    public Groups groups = new Groups();
    public Runtime runtime = new Runtime();

    /** Where events come from. */
    public static final class Source implements Serializable {
        private static final long serialVersionUID = 1L;
        public SourceType type = SourceType.KAFKA;
        public KafkaSource kafka = new KafkaSource();
        public Files files = new Files();
    }

    public static final class KafkaSource implements Serializable {
        private static final long serialVersionUID = 1L;
        public String bootstrapServers;
        public String topic = "events";
        public String groupId = "journey-cep";
        /**
         * The control topic (live velocity rule changes; DESIGN §1), read from its earliest offset on a fresh start;
         * {@code null} or empty: no control topic, the rules are the config's only.
         */
        public String controlTopic = "control";
        /** Extra Kafka client properties (security protocol, SASL mechanism…); secrets via {@link #saslJaasConfigEnv}. */
        public Map<String, String> properties = new LinkedHashMap<>();
        /** Name of an environment variable holding {@code sasl.jaas.config}. */
        public String saslJaasConfigEnv;
        /** Path of a file whose first line is {@code sasl.jaas.config} (instead of {@link #saslJaasConfigEnv}). */
        public String saslJaasConfigFile;
    }

    public static final class Files implements Serializable {
        private static final long serialVersionUID = 1L;
        public List<String> paths = new ArrayList<>();
        public FileFormat format = FileFormat.JSONL;
        /** A named CSV mapping ({@code rees46}, {@code taobao}, {@code retailrocket}) or the path of a mapping file. */
        public String mapping;
        /**
         * Stop event time here (inclusive; {@code replay --until}): events after it are not processed and no
         * event-time timer after it fires, also at the end of the input; {@code null} = see {@link #drain}.
         */
        public Instant until;
        /**
         * What the end of the input does to event time when {@link #until} is not set. {@code false} (default): event
         * time ends at the greatest event time of the accepted records, so the tables show the state as of the last
         * event and the timeouts after it (open carts, sessions, segment exits) stay pending. {@code true} ({@code
         * replay --drain}): event time moves to the end of time and every pending timer fires. Not with {@code until}.
         */
        public boolean drain;
    }

    public static final class EventTime implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Allowed lateness: how far out of order events may arrive and still count. */
        public Duration maxOutOfOrderness = Duration.ofSeconds(5);
        /** A source partition silent this long stops holding back the watermark; null = never. */
        public Duration idleTimeout = Duration.ofSeconds(30);
        /** After this much wall-clock quiet, event time advances with the wall clock so timeouts fire; null = off. */
        public Duration quietPeriod = Duration.ofSeconds(30);
    }

    public static final class Parser implements Serializable {
        private static final long serialVersionUID = 1L;
        public int maxRecordBytes = 65_536;
        public Duration maxFutureSkew = Duration.ofHours(1);
        /**
         * A price above this is rejected (BAD_FIELD, the field named), so that no sum of prices overflows to
         * {@code Infinity}; default {@link io.journeycep.pipeline.ingest.ParserSettings#DEFAULT_MAX_PRICE} (10^12,
         * which no real price reaches, also in currencies with large nominal values).
         */
        public double maxPrice = io.journeycep.pipeline.ingest.ParserSettings.DEFAULT_MAX_PRICE;
        /**
         * A quantity above this is rejected (BAD_FIELD, the field named); default {@link
         * io.journeycep.pipeline.ingest.ParserSettings#DEFAULT_MAX_QUANTITY} (a million units of one product).
         */
        public int maxQuantity = io.journeycep.pipeline.ingest.ParserSettings.DEFAULT_MAX_QUANTITY;
        /** Extra source event names mapped to canonical types ({@code "Added To Basket": cart_add}). */
        public Map<String, String> eventTypes = new LinkedHashMap<>();
    }

    public static final class Dedupe implements Serializable {
        private static final long serialVersionUID = 1L;
        public Duration horizon = Duration.ofHours(24);
    }

    public static final class CartAbandonment implements Serializable {
        private static final long serialVersionUID = 1L;
        /** How long before an episode's first cart add a view still counts. */
        public Duration viewLookback = Duration.ofMinutes(30);
        /** How long after the last cart add a purchase (or another cart add) still counts. */
        public Duration timeout = Duration.ofMinutes(30);
    }

    public static final class HighValueBrowsing implements Serializable {
        private static final long serialVersionUID = 1L;
        /** How many high-value views, with no purchase in between, make one alert. */
        public int minViews = 3;
        /** The lowest item price (inclusive) that makes a view high-value; in the events' own currency. */
        public double minPrice = 500;
        /** How long after the run's first view its last one may come (inclusive). */
        public Duration window = Duration.ofHours(1);
    }

    /** DRIFT (DESIGN §3; README "Drift"): per-metric change detection over event-time buckets. */
    public static final class Drift implements Serializable {
        private static final long serialVersionUID = 1L;
        public static final List<String> FAMILIES = List.of("rate", "conversion", "abandonment", "aov");
        public static final List<String> DETECTORS = List.of("cusum", "page-hinkley");
        /** Off by default: the drift stage adds DRIFT alerts and drift_stats rows only when asked for. */
        public boolean enabled = false;
        /** Event-time bucket length; one value per metric and bucket. */
        public Duration bucket = Duration.ofMinutes(1);
        /** {@code cusum} or {@code page-hinkley}. */
        public String detector = "cusum";
        /** Buckets that form a baseline (and the fewest buckets between two alerts of one metric). */
        public int warmup = 60;
        /** Signal threshold in baseline standard deviations (CUSUM h, Page-Hinkley lambda). */
        public double threshold = 12.0;
        /** CUSUM slack k, in standard deviations. */
        public double slack = 0.5;
        /** Page-Hinkley delta, in standard deviations. */
        public double delta = 0.5;
        /** EWMA smoothing factor of the current level shown in alerts. */
        public double ewmaAlpha = 0.3;
        /** After this many consecutive empty buckets a metric pauses (no more values or timers until it is seen). */
        public int maxEmptyBuckets = 10;
        /** Metric families: rate (per event type), conversion, abandonment, aov. */
        public List<String> metrics = new ArrayList<>(FAMILIES);
        /** Event types with a rate metric; absent or empty: every canonical type. */
        public List<String> rateTypes = new ArrayList<>();
        /** Floors of the baseline standard deviation, per family, in the metric's unit. */
        public MinStddev minStddev = new MinStddev();
        /** rule_version of DRIFT alerts; raise it when the detector settings change their meaning. */
        public int version = 1;
    }

    public static final class MinStddev implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Events per bucket. */
        public double rate = 1.0;
        /** Purchases per view. */
        public double conversion = 0.005;
        /** Abandoned episodes per cart add. */
        public double abandonment = 0.01;
        /** Currency units. */
        public double aov = 1.0;
    }

    /** VELOCITY (DESIGN §3): rules loaded at start; {@code rules} absent means {@link VelocityRule#defaults()}. */
    public static final class Velocity implements Serializable {
        private static final long serialVersionUID = 1L;
        /** {@code false} turns the velocity stage off. */
        public boolean enabled = true;
        /** The rules; {@code null} (absent from the file) means the four defaults of {@link VelocityRule#defaults()}. */
        public List<VelocityRuleSpec> rules;

        /**
         * The rules the job runs: none when disabled, the defaults when {@link #rules} is absent, else the configured
         * ones (call after {@link JobConfig#validate()} found no errors).
         */
        public List<VelocityRule> effectiveRules() {
            if (!enabled) {
                return List.of();
            }
            if (rules == null) {
                return VelocityRule.defaults();
            }
            List<VelocityRule> out = new ArrayList<>();
            for (VelocityRuleSpec spec : rules) {
                out.add(spec.toRule(new ArrayList<>()));
            }
            return out;
        }
    }

    /**
     * User-defined journey patterns (and velocity rules) from rules files, linted at start (README "Pattern specs").
     */
    public static final class Patterns implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Rules files (YAML or JSON); their patterns run besides the built-ins, their velocity rules replace ours. */
        public List<String> files = new ArrayList<>();
        /** The state horizon: no pattern window or starts-after look-back may be longer. */
        public Duration maxWindow = Duration.ofHours(24);
    }

    /** Behavioral segments with ENTER/EXIT (DESIGN §3; README "Segments"). */
    public static final class Segments implements Serializable {
        private static final long serialVersionUID = 1L;
        /** {@code false} turns the segment stage off. */
        public boolean enabled = true;
        /** Days of history kept per user, and how long a silent user's state lives; at least the longest window. */
        public Duration horizon = Duration.ofDays(365);
        public Builtins builtins = new Builtins();
        public Rfm rfm = new Rfm();
        /** Your own definitions (README "Segment rules"), as written in the file. */
        public List<Map<String, Object>> definitions = new ArrayList<>();

        /** The segment book (call after {@link JobConfig#validate()} found no errors). */
        public SegmentBook book() {
            List<String> errors = new ArrayList<>();
            SegmentBook book = build(errors);
            if (!errors.isEmpty()) {
                throw new IllegalStateException(String.join("; ", errors));
            }
            return book;
        }

        SegmentBook build(List<String> errors) {
            int horizonDays = (int) Math.min(10_000, horizon.toDays());
            List<SegmentDefinition> all = new ArrayList<>();
            if (builtins.enabled) {
                all.addAll(SegmentBook.shipped(builtins.toShipped()));
            }
            Set<String> ids = new HashSet<>();
            all.forEach(d -> ids.add(d.id));
            for (int i = 0; i < definitions.size(); i++) {
                String path = "segments.definitions[" + i + "]";
                SegmentDefinition d = SegmentDefinition.parse(MAPPER.valueToTree(definitions.get(i)), path,
                        horizonDays, errors);
                if (d != null && !ids.add(d.id)) {
                    errors.add(path + ".id: '" + d.id + "' is already defined"
                            + (builtins.enabled ? " (the built-ins are " + builtinIds() + ")" : ""));
                } else if (d != null) {
                    all.add(d);
                }
            }
            RfmScoring scoring = rfm.enabled ? new RfmScoring(rfm.windowDays, rfm.recencyDays, rfm.frequency,
                    rfm.monetary) : null;
            int need = scoring == null ? 0 : rfm.windowDays;
            for (SegmentDefinition d : all) {
                need = Math.max(need, d.condition.lookbackDays());
            }
            if (need > horizonDays) {
                errors.add("segments.horizon: must be at least the longest window (" + need + "d), was "
                        + Durations.format(horizon));
                return null;
            }
            return errors.isEmpty() ? new SegmentBook(all, scoring, horizonDays) : null;
        }

        private List<String> builtinIds() {
            List<String> out = new ArrayList<>();
            SegmentBook.shipped(builtins.toShipped()).forEach(d -> out.add(d.id));
            return out;
        }
    }

    /** The shipped segment definitions and their parameters. */
    public static final class Builtins implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public int newBuyerDays = 30;
        public double highValueSum = 1000;
        public long highValueCount = 10;
        public int highValueDays = 365;
        public int lapsedDays = 180;
        public int cartAbandonerDays = 7;
        public List<Integer> churnDays = new ArrayList<>(List.of(30, 45, 60));
        public long powerUserSessions = 5;

        SegmentBook.Shipped toShipped() {
            SegmentBook.Shipped p = new SegmentBook.Shipped();
            p.newBuyerDays = newBuyerDays;
            p.highValueSum = highValueSum;
            p.highValueCount = highValueCount;
            p.highValueDays = highValueDays;
            p.lapsedDays = lapsedDays;
            p.cartAbandonerDays = cartAbandonerDays;
            p.churnDays = List.copyOf(churnDays);
            p.powerUserSessions = powerUserSessions;
            return p;
        }
    }

    /** RFM scores as segments RFM_<r><f><m>. */
    public static final class Rfm implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public int windowDays = 365;
        public List<Integer> recencyDays = new ArrayList<>(List.of(7, 30, 90, 180));
        public List<Double> frequency = new ArrayList<>(List.of(2.0, 3.0, 5.0, 10.0));
        public List<Double> monetary = new ArrayList<>(List.of(50.0, 200.0, 500.0, 1000.0));
    }

    /** Identity stitching: anonymousId → userId links (DESIGN §1; README "Identity stitching"). */
    public static final class Identity implements Serializable {
        private static final long serialVersionUID = 1L;
        /** {@code false}: no stitching; events stay on their own user or anonymous key. */
        public boolean enabled = true;
        /** A link is forgotten when its anonymous id has been silent this long (event time). */
        public Duration linkTtl = Duration.ofDays(30);
        /** Anonymous events held per anonymous id for the journeys (to re-key their path on a link), at most. */
        public int maxPendingEvents = 500;
    }

    /** Sessions, Markov transition counts and PATH_ANOMALY (DESIGN §3; README "Journeys"). */
    public static final class Journeys implements Serializable {
        private static final long serialVersionUID = 1L;
        /** {@code false} turns the sessions, transition counts and PATH_ANOMALY off. */
        public boolean enabled = true;
        /** Without session ids: an event more than this after the user's previous one starts a new session. */
        public Duration sessionGap = Duration.ofMinutes(30);
        /** Additive smoothing pseudo-count α of {@code P(to | from)}. */
        public double smoothing = 1.0;
        /** A session is scored only with at least this many transitions (START and EXIT included). */
        public int minTransitions = 4;
        /** PATH_ANOMALY when the mean negative log-likelihood per transition is above this (natural log). */
        public double anomalyThreshold = 2.0;
        /**
         * A session is scored only when every from-state of its transitions had at least this many counted
         * transitions before it (0: always), so a cold model does not score every early session around ln 13.
         */
        public long minStateSupport = 100;
        /** How often (event time) each from-state's absolute counts go to {@code journey_transitions}, at most. */
        public Duration flushInterval = Duration.ofSeconds(10);
        /** States (START … EXIT) of a session kept for the alert's path and evidence; all transitions are counted. */
        public int maxPathLength = 50;
        /** Each user's own decayed transition counts, shown beside the global model in PATH_ANOMALY evidence. */
        public UserModel userModel = new UserModel();
    }

    /** A user's own Markov counts (README "Journeys"): exponential decay in event time and a horizon. */
    public static final class UserModel implements Serializable {
        private static final long serialVersionUID = 1L;
        /** A transition counts half after this (event time). */
        public Duration halfLife = Duration.ofDays(30);
        /** A user's model and its timer are cleared when none of their sessions closed for this long (event time). */
        public Duration horizon = Duration.ofDays(90);
    }

    public static final class Outputs implements Serializable {
        private static final long serialVersionUID = 1L;
        public KafkaOutput kafka = new KafkaOutput();
        public Jdbc jdbc = new Jdbc();
    }

    public static final class KafkaOutput implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        /** Defaults to the source's bootstrap servers. */
        public String bootstrapServers;
        public String triggersTopic = "journey.triggers";
        public String riskTopic = "risk.alerts";
        public String deadLetterTopic = "events.dlq";
        public String lateTopic = "events.late";
        /** Segment ENTER/EXIT changes (DESIGN §4), keyed by user. */
        public String segmentsTopic = "segment.updates";
        public String transactionalIdPrefix = "journey-cep";
        public Map<String, String> properties = new LinkedHashMap<>();
        public String saslJaasConfigEnv;
        public String saslJaasConfigFile;
    }

    public static final class Jdbc implements Serializable {
        private static final long serialVersionUID = 1L;
        public boolean enabled = true;
        public String url;
        public String user;
        /** Name of the environment variable that holds the password. */
        public String passwordEnv;
        /** Path of a file that holds the password (first line). */
        public String passwordFile;
        public int batchSize = 500;
        public Duration batchInterval = Duration.ofSeconds(1);
        public int maxRetries = 5;
    }

    /** Pseudonymization of identifiers at ingestion (README "Privacy"); DESIGN §5. */
    public static final class Privacy implements Serializable {
        private static final long serialVersionUID = 1L;
        public static final List<String> FIELDS = List.of("user", "anonymous", "device", "card", "ip");
        /** {@code true}: the ids of {@link #fields} are replaced by keyed HMAC pseudonyms right after parsing. */
        public boolean pseudonymize = false;
        /** Name of the environment variable that holds the HMAC key (at least 32 bytes). */
        public String keyEnv;
        /** Path of a file whose first line is the HMAC key (at least 32 bytes). */
        public String keyFile;
        /** Never allowed: only read so that a key in clear in the file is refused with a clear message. */
        @com.fasterxml.jackson.annotation.JsonProperty(access = com.fasterxml.jackson.annotation.JsonProperty.Access.WRITE_ONLY)
        public String key;
        /** {@code hash} (default), {@code truncate} (IPv4 /24, IPv6 /48) or {@code keep}. */
        public Pseudonymizer.IpMode ip = Pseudonymizer.IpMode.HASH;
        /** The identifiers pseudonymized: any of user, anonymous, device, card, ip (default all). */
        public List<String> fields = new ArrayList<>(FIELDS);
        /** {@code false}: dead letters of rejected records carry no raw bytes (reason, detail and position only). */
        public boolean deadLetterRaw = true;
    }

    /** Consent honoured in the stream (README "Consent"; issue 15). */
    public static final class Consent implements Serializable {
        private static final long serialVersionUID = 1L;

        public enum WithoutConsent { GRANTED, DENIED }

        /** A user never seen with a consent object: every category {@code granted} (default) or none. */
        public WithoutConsent withoutConsent = WithoutConsent.GRANTED;
        /**
         * Alert kind (kebab case) → the category it needs, {@code ""} for not gated; each kind given replaces its
         * default (cart-abandoned, high-value-browsing, journey-pattern: Marketing; the risk kinds: not gated).
         */
        public Map<String, String> alerts = new LinkedHashMap<>();
        /** Segment id (or {@code "*"} for every other segment) → the category its ENTERs need; none by default. */
        public Map<String, String> segments = new LinkedHashMap<>();
        /** How long a user's consent is kept after the latest event that carried one. */
        public Duration retention = ConsentSettings.DEFAULT_RETENTION;

        /** The effective settings; call after {@link JobConfig#validate()} passed. */
        public ConsentSettings settings() {
            Map<AlertKind, String> kinds = new java.util.EnumMap<>(AlertKind.class);
            kinds.putAll(ConsentSettings.defaultAlertCategories());
            alerts.forEach((kind, category) -> {
                AlertKind k = alertKind(kind);
                if (isBlank(category)) {
                    kinds.remove(k);
                } else {
                    kinds.put(k, category.strip());
                }
            });
            Map<String, String> bySegment = new LinkedHashMap<>();
            segments.forEach((segment, category) -> bySegment.put(segment.strip(), category.strip()));
            return new ConsentSettings(withoutConsent == WithoutConsent.GRANTED, kinds, bySegment, retention);
        }

        static AlertKind alertKind(String kebab) {
            try {
                return AlertKind.valueOf(kebab.strip().replace('-', '_').toUpperCase(Locale.ROOT));
            } catch (IllegalArgumentException e) {
                return null;
            }
        }
    }

    /** What the user's pass keeps of Segment {@code group} calls (README "Segment calls"; issue 15). */
    public static final class Groups implements Serializable {
        private static final long serialVersionUID = 1L;
        /** The trait names kept (as sent, case-sensitive). */
        public List<String> traits = new ArrayList<>(GroupSettings.DEFAULT_TRAITS);
        /** Groups kept per user; beyond it the one seen least recently makes room. */
        public int maxGroups = GroupSettings.DEFAULT_MAX_GROUPS;
        /** Traits kept per group; beyond it a new trait name is dropped. */
        public int maxTraits = GroupSettings.DEFAULT_MAX_TRAITS;
        /** How long a user's groups are kept after the latest group call. */
        public Duration retention = GroupSettings.DEFAULT_RETENTION;

        /** The settings; call after {@link JobConfig#validate()} passed. */
        public GroupSettings settings() {
            return new GroupSettings(traits.stream().map(String::strip).toList(), maxGroups, maxTraits, retention);
        }
    }

    public static final class Runtime implements Serializable {
        private static final long serialVersionUID = 1L;
        /** Null = the cluster's default. */
        public Integer parallelism;
        public StateBackend stateBackend = StateBackend.ROCKSDB;
        /** Exactly-once Kafka output becomes visible at checkpoints: this bounds trigger latency. */
        public Duration checkpointInterval = Duration.ofSeconds(10);
        /**
         * Where checkpoints go ({@code file:///…}, {@code s3://…}); null = the cluster's config.yaml. The local verbs
         * (demo, replay) use a temporary directory when this is not set: Flink's in-memory default caps state at 5 MB.
         */
        public String checkpointDir;
    }

    // ---------------------------------------------------------------------------------------------------------

    /** Loads and validates a config file. */
    public static JobConfig load(Path file) {
        String text;
        try {
            text = java.nio.file.Files.readString(file, StandardCharsets.UTF_8);
        } catch (IOException e) {
            throw new ConfigException(file + ": cannot read config file: " + e.getMessage(), e);
        }
        return parse(text, file.toString());
    }

    /** Parses and validates config text; {@code origin} names it in error messages. */
    public static JobConfig parse(String yaml, String origin) {
        JobConfig config;
        try {
            config = yaml.isBlank() ? new JobConfig() : MAPPER.readValue(yaml, JobConfig.class);
            if (config == null) {
                config = new JobConfig();
            }
        } catch (JsonMappingException e) {
            String field = fieldPath(e);
            int line = e.getLocation() != null ? e.getLocation().getLineNr() : 0;
            throw new ConfigException(origin + " line " + line + (field.isEmpty() ? "" : ", field " + field) + ": "
                    + e.getOriginalMessage());
        } catch (JsonProcessingException e) {
            int line = e.getLocation() != null ? e.getLocation().getLineNr() : 0;
            throw new ConfigException(origin + " line " + line + ": " + e.getOriginalMessage());
        }
        List<String> errors = config.validate();
        if (!errors.isEmpty()) {
            SourceLines where = new SourceLines(new YAMLFactory(), yaml);
            StringBuilder sb = new StringBuilder();
            for (String error : errors) {
                String field = error.substring(0, error.indexOf(':'));
                if (sb.length() > 0) {
                    sb.append('\n');
                }
                sb.append(origin).append(" line ").append(where.lineOf(field)).append(", field ").append(error);
            }
            throw new ConfigException(sb.toString());
        }
        return config;
    }

    /** Every problem, each as {@code "dotted.field: message"}; empty when the config is usable. */
    public List<String> validate() {
        List<String> e = new ArrayList<>();
        if (source.type == SourceType.KAFKA) {
            require(e, "source.kafka.bootstrap-servers", source.kafka.bootstrapServers);
            require(e, "source.kafka.topic", source.kafka.topic);
            require(e, "source.kafka.group-id", source.kafka.groupId);
            noSecrets(e, "source.kafka.properties", source.kafka.properties);
        } else if (source.files.paths.isEmpty()) {
            e.add("source.files.paths: at least one input file is needed");
        } else if (source.files.format == FileFormat.CSV && isBlank(source.files.mapping)) {
            e.add("source.files.mapping: CSV input needs a mapping (rees46, taobao, retailrocket or a mapping file)");
        }
        if (source.type != SourceType.FILES && source.files.until != null) {
            e.add("source.files.until: only for a file source (source.type: files); a Kafka source has no end");
        }
        if (source.type != SourceType.FILES && source.files.drain) {
            e.add("source.files.drain: only for a file source (source.type: files); a Kafka source has no end");
        }
        if (source.files.drain && source.files.until != null) {
            e.add("source.files.drain: not with source.files.until (drain fires every timer, until stops event time)");
        }
        positive(e, "event-time.max-out-of-orderness", eventTime.maxOutOfOrderness, true);
        positive(e, "event-time.idle-timeout", eventTime.idleTimeout, false);
        positive(e, "event-time.quiet-period", eventTime.quietPeriod, false);
        if (parser.maxRecordBytes < 256) {
            e.add("parser.max-record-bytes: must be at least 256, was " + parser.maxRecordBytes);
        }
        positive(e, "parser.max-future-skew", parser.maxFutureSkew, true);
        positiveNumber(e, "parser.max-price", parser.maxPrice);
        if (parser.maxQuantity < 1) {
            e.add("parser.max-quantity: must be at least 1, was " + parser.maxQuantity);
        }
        positive(e, "dedupe.horizon", dedupe.horizon, true);
        positive(e, "cart-abandonment.view-lookback", cartAbandonment.viewLookback, true);
        positive(e, "cart-abandonment.timeout", cartAbandonment.timeout, true);
        if (highValueBrowsing.minViews < 1) {
            e.add("high-value-browsing.min-views: must be at least 1, was " + highValueBrowsing.minViews);
        }
        if (!(highValueBrowsing.minPrice >= 0) || Double.isInfinite(highValueBrowsing.minPrice)) {
            e.add("high-value-browsing.min-price: must be a number of at least 0, was " + highValueBrowsing.minPrice);
        }
        positive(e, "high-value-browsing.window", highValueBrowsing.window, true);
        validateVelocity(e);
        validateDrift(e);
        positive(e, "patterns.max-window", patterns.maxWindow, true);
        validateJourneys(e);
        validateIdentity(e);
        validateSegments(e);
        validatePrivacy(e);
        validateConsent(e);
        validateGroups(e);
        if (source.type == SourceType.KAFKA) {
            oneSecretSource(e, "source.kafka.sasl-jaas-config", source.kafka.saslJaasConfigEnv,
                    source.kafka.saslJaasConfigFile);
        }
        if (outputs.kafka.enabled) {
            oneSecretSource(e, "outputs.kafka.sasl-jaas-config", outputs.kafka.saslJaasConfigEnv,
                    outputs.kafka.saslJaasConfigFile);
            if (isBlank(outputs.kafka.bootstrapServers) && source.type != SourceType.KAFKA) {
                e.add("outputs.kafka.bootstrap-servers: needed when the source is not Kafka (or set enabled: false)");
            }
            require(e, "outputs.kafka.triggers-topic", outputs.kafka.triggersTopic);
            require(e, "outputs.kafka.risk-topic", outputs.kafka.riskTopic);
            require(e, "outputs.kafka.dead-letter-topic", outputs.kafka.deadLetterTopic);
            require(e, "outputs.kafka.late-topic", outputs.kafka.lateTopic);
            require(e, "outputs.kafka.segments-topic", outputs.kafka.segmentsTopic);
            require(e, "outputs.kafka.transactional-id-prefix", outputs.kafka.transactionalIdPrefix);
            noSecrets(e, "outputs.kafka.properties", outputs.kafka.properties);
        }
        if (outputs.jdbc.enabled) {
            if (isBlank(outputs.jdbc.url)) {
                e.add("outputs.jdbc.url: required (or set enabled: false)");
            } else if (outputs.jdbc.url.toLowerCase(Locale.ROOT).contains("password")) {
                e.add("outputs.jdbc.url: must not carry a password; use password-env or password-file");
            } else if (!outputs.jdbc.url.startsWith("jdbc:postgresql:")) {
                e.add("outputs.jdbc.url: must be a PostgreSQL JDBC URL (jdbc:postgresql://host:port/db), was "
                        + outputs.jdbc.url);
            }
            if (outputs.jdbc.batchSize < 1) {
                e.add("outputs.jdbc.batch-size: must be at least 1, was " + outputs.jdbc.batchSize);
            }
            positive(e, "outputs.jdbc.batch-interval", outputs.jdbc.batchInterval, true);
        }
        if (runtime.parallelism != null && runtime.parallelism < 1) {
            e.add("runtime.parallelism: must be at least 1, was " + runtime.parallelism);
        }
        positive(e, "runtime.checkpoint-interval", runtime.checkpointInterval, true);
        return e;
    }

    private void validateDrift(List<String> e) {
        Drift d = drift;
        positive(e, "drift.bucket", d.bucket, true);
        if (d.bucket != null && !d.bucket.isZero() && !d.bucket.isNegative() && d.bucket.toMillis() < 1000) {
            e.add("drift.bucket: must be at least 1s, was " + Durations.format(d.bucket));
        }
        if (!Drift.DETECTORS.contains(d.detector)) {
            e.add("drift.detector: must be one of " + Drift.DETECTORS + ", was " + d.detector);
        }
        if (d.warmup < 2) {
            e.add("drift.warmup: must be at least 2 buckets, was " + d.warmup);
        }
        positiveNumber(e, "drift.threshold", d.threshold);
        if (!(d.slack >= 0) || Double.isInfinite(d.slack)) {
            e.add("drift.slack: must be a number of at least 0, was " + d.slack);
        }
        if (!(d.delta >= 0) || Double.isInfinite(d.delta)) {
            e.add("drift.delta: must be a number of at least 0, was " + d.delta);
        }
        if (!(d.ewmaAlpha > 0 && d.ewmaAlpha <= 1)) {
            e.add("drift.ewma-alpha: must be in (0, 1], was " + d.ewmaAlpha);
        }
        if (d.maxEmptyBuckets < 0) {
            e.add("drift.max-empty-buckets: must be at least 0, was " + d.maxEmptyBuckets);
        }
        if (d.version < 1) {
            e.add("drift.version: must be at least 1, was " + d.version);
        }
        if (d.metrics == null || d.metrics.isEmpty()) {
            e.add("drift.metrics: at least one of " + Drift.FAMILIES + " (or set enabled: false)");
        } else {
            for (int i = 0; i < d.metrics.size(); i++) {
                if (!Drift.FAMILIES.contains(d.metrics.get(i))) {
                    e.add("drift.metrics[" + i + "]: unknown metric '" + d.metrics.get(i) + "'; known: "
                            + Drift.FAMILIES);
                }
            }
        }
        if (d.rateTypes != null) {
            for (int i = 0; i < d.rateTypes.size(); i++) {
                if (io.journeycep.model.EventType.fromWireName(d.rateTypes.get(i)) == null) {
                    e.add("drift.rate-types[" + i + "]: '" + d.rateTypes.get(i) + "' is not a canonical event type");
                }
            }
        }
        if (d.minStddev == null) {
            e.add("drift.min-stddev: required");
        } else {
            positiveNumber(e, "drift.min-stddev.rate", d.minStddev.rate);
            positiveNumber(e, "drift.min-stddev.conversion", d.minStddev.conversion);
            positiveNumber(e, "drift.min-stddev.abandonment", d.minStddev.abandonment);
            positiveNumber(e, "drift.min-stddev.aov", d.minStddev.aov);
        }
    }

    private static void positiveNumber(List<String> errors, String field, double v) {
        if (!(v > 0) || Double.isInfinite(v)) {
            errors.add(field + ": must be a positive number, was " + v);
        }
    }

    private void validateSegments(List<String> e) {
        if (!segments.enabled) {
            return;
        }
        if (segments.horizon == null || segments.horizon.toMillis() % 86_400_000L != 0 || segments.horizon.toDays() < 1
                || segments.horizon.toDays() > 3660) {
            e.add("segments.horizon: whole days between 1d and 3660d, was "
                    + (segments.horizon == null ? "nothing" : Durations.format(segments.horizon)));
            return;
        }
        Builtins b = segments.builtins;
        int before = e.size();
        if (b.enabled) {
            int horizonDays = (int) segments.horizon.toDays();
            dayCount(e, "segments.builtins.new-buyer-days", b.newBuyerDays, horizonDays);
            dayCount(e, "segments.builtins.high-value-days", b.highValueDays, horizonDays);
            dayCount(e, "segments.builtins.lapsed-days", b.lapsedDays, horizonDays);
            dayCount(e, "segments.builtins.cart-abandoner-days", b.cartAbandonerDays, horizonDays);
            if (!(b.highValueSum > 0) || Double.isInfinite(b.highValueSum)) {
                e.add("segments.builtins.high-value-sum: must be a number above 0, was " + b.highValueSum);
            }
            if (b.highValueCount < 1) {
                e.add("segments.builtins.high-value-count: must be at least 1, was " + b.highValueCount);
            }
            if (b.powerUserSessions < 1) {
                e.add("segments.builtins.power-user-sessions: must be at least 1, was " + b.powerUserSessions);
            }
            if (b.churnDays == null || b.churnDays.isEmpty()) {
                e.add("segments.builtins.churn-days: one or more ascending day counts, e.g. [30, 45, 60]");
            } else {
                for (int i = 0; i < b.churnDays.size(); i++) {
                    Integer d = b.churnDays.get(i);
                    if (d == null || d < 1 || d > horizonDays || (i > 0 && d <= b.churnDays.get(i - 1))) {
                        e.add("segments.builtins.churn-days[" + i + "]: ascending day counts within the horizon, was "
                                + d);
                    }
                }
            }
        }
        Rfm r = segments.rfm;
        if (r.enabled) {
            dayCount(e, "segments.rfm.window-days", r.windowDays, (int) segments.horizon.toDays());
            cutPoints(e, "segments.rfm.recency-days", r.recencyDays);
            cutPoints(e, "segments.rfm.frequency", r.frequency);
            cutPoints(e, "segments.rfm.monetary", r.monetary);
        }
        if (e.size() == before) {
            segments.build(e);
        }
    }

    private static void dayCount(List<String> e, String field, int days, int horizonDays) {
        if (days < 1 || days > horizonDays) {
            e.add(field + ": must be between 1 and the horizon (" + horizonDays + "), was " + days);
        }
    }

    private static void cutPoints(List<String> e, String field, List<? extends Number> cuts) {
        if (cuts == null || cuts.size() != 4) {
            e.add(field + ": 4 ascending cut points, was " + cuts);
            return;
        }
        for (int i = 1; i < 4; i++) {
            if (cuts.get(i) == null || cuts.get(i - 1) == null
                    || cuts.get(i).doubleValue() <= cuts.get(i - 1).doubleValue()) {
                e.add(field + "[" + i + "]: cut points must be ascending, was " + cuts);
                return;
            }
        }
    }

    private void validateIdentity(List<String> e) {
        positive(e, "identity.link-ttl", identity.linkTtl, true);
        if (identity.linkTtl != null && journeys.sessionGap != null
                && identity.linkTtl.compareTo(journeys.sessionGap) <= 0) {
            e.add("identity.link-ttl: must be longer than journeys.session-gap (" + Durations.format(journeys.sessionGap)
                    + "), was " + Durations.format(identity.linkTtl));
        }
        if (identity.maxPendingEvents < 0 || identity.maxPendingEvents > 100_000) {
            e.add("identity.max-pending-events: must be between 0 and 100000, was " + identity.maxPendingEvents);
        }
    }

    private void validatePrivacy(List<String> e) {
        Privacy p = privacy;
        if (p.key != null) {
            // never echo the value
            e.add("privacy.key: the key never goes in the config file; name an environment variable (key-env) or a"
                    + " file (key-file) that holds it");
        }
        if (!isBlank(p.keyEnv) && !isBlank(p.keyFile)) {
            e.add("privacy.key-file: give either key-env or key-file, not both");
        }
        if (p.pseudonymize && isBlank(p.keyEnv) && isBlank(p.keyFile) && p.key == null) {
            e.add("privacy.key-env: pseudonymize needs a key: name an environment variable (key-env) or a file"
                    + " (key-file) that holds at least " + Pseudonymizer.MIN_KEY_BYTES + " bytes");
        }
        if (p.ip == null) {
            e.add("privacy.ip: must be one of hash, truncate, keep");
        }
        if (p.fields == null) {
            e.add("privacy.fields: required (any of " + Privacy.FIELDS + ")");
        } else {
            for (int i = 0; i < p.fields.size(); i++) {
                if (Pseudonymizer.Field.fromWireName(p.fields.get(i)) == null) {
                    e.add("privacy.fields[" + i + "]: unknown field '" + p.fields.get(i) + "'; known: "
                            + Privacy.FIELDS);
                }
            }
        }
    }

    private void validateConsent(List<String> e) {
        if (consent.withoutConsent == null) {
            e.add("consent.without-consent: required (granted or denied)");
        }
        positive(e, "consent.retention", consent.retention, true);
        if (consent.alerts == null) {
            e.add("consent.alerts: a map of alert kind to category (leave it out for the defaults)");
        } else {
            consent.alerts.forEach((kind, category) -> {
                AlertKind k = Consent.alertKind(kind);
                if (k == null) {
                    e.add("consent.alerts." + kind + ": unknown alert kind '" + kind + "'; known: cart-abandoned,"
                            + " high-value-browsing, journey-pattern, risk-pattern, velocity, path-anomaly, drift");
                } else if (category == null) {
                    e.add("consent.alerts." + kind + ": the category is missing (\"\" for not gated)");
                } else if (!isBlank(category) && (k == AlertKind.VELOCITY || k == AlertKind.PATH_ANOMALY
                        || k == AlertKind.DRIFT)) {
                    e.add("consent.alerts." + kind + ": " + kind + " cannot be gated on consent (it is decided"
                            + " outside the user's pass, and its subject need not be a user); give \"\" or leave it"
                            + " out");
                }
            });
        }
        if (consent.segments == null) {
            e.add("consent.segments: a map of segment id (or \"*\") to category (leave it out for none)");
        } else {
            consent.segments.forEach((segment, category) -> {
                if (isBlank(segment) || isBlank(category)) {
                    e.add("consent.segments: each entry needs a segment id (or \"*\") and a category, was '"
                            + segment + "': " + category);
                }
            });
        }
    }

    private void validateGroups(List<String> e) {
        if (groups.traits == null) {
            e.add("groups.traits: a list of trait names (leave it out for the defaults, [] for none)");
        } else {
            Set<String> seen = new HashSet<>();
            for (int i = 0; i < groups.traits.size(); i++) {
                String t = groups.traits.get(i);
                if (isBlank(t) || !seen.add(t.strip())) {
                    e.add("groups.traits[" + i + "]: trait names must be non-blank and unique, was '" + t + "'");
                }
            }
        }
        if (groups.maxGroups < 1 || groups.maxGroups > 1000) {
            e.add("groups.max-groups: must be between 1 and 1000, was " + groups.maxGroups);
        }
        if (groups.maxTraits < 0 || groups.maxTraits > 1000) {
            e.add("groups.max-traits: must be between 0 and 1000, was " + groups.maxTraits);
        }
        positive(e, "groups.retention", groups.retention, true);
    }

    private static void oneSecretSource(List<String> e, String field, String env, String file) {
        if (!isBlank(env) && !isBlank(file)) {
            e.add(field + "-file: give either " + field.substring(field.lastIndexOf('.') + 1) + "-env or -file,"
                    + " not both");
        }
    }

    /**
     * The pseudonymizer {@code privacy} asks for, with its key read from the environment variable or file it names,
     * or {@code null} when {@code privacy.pseudonymize} is off. Fails (naming the field, never showing the key) when
     * the key is missing, empty or shorter than {@value Pseudonymizer#MIN_KEY_BYTES} bytes.
     */
    public Pseudonymizer pseudonymizer() {
        if (!privacy.pseudonymize) {
            return null;
        }
        String field = !isBlank(privacy.keyEnv) ? "privacy.key-env" : "privacy.key-file";
        String key = Secrets.resolve(field, privacy.keyEnv, privacy.keyFile);
        if (key == null) {
            throw new ConfigException("privacy.key-env: pseudonymize needs a key: name an environment variable"
                    + " (key-env) or a file (key-file)");
        }
        byte[] bytes = key.getBytes(StandardCharsets.UTF_8);
        if (bytes.length < Pseudonymizer.MIN_KEY_BYTES) {
            throw new ConfigException(field + ": the pseudonymization key " + (bytes.length == 0 ? "is empty"
                    : "is " + bytes.length + " bytes") + "; at least " + Pseudonymizer.MIN_KEY_BYTES
                    + " are needed (e.g. openssl rand -base64 48)");
        }
        java.util.EnumSet<Pseudonymizer.Field> fields = java.util.EnumSet.noneOf(Pseudonymizer.Field.class);
        privacy.fields.forEach(f -> fields.add(Pseudonymizer.Field.fromWireName(f)));
        return new Pseudonymizer(bytes, fields, privacy.ip);
    }

    private void validateJourneys(List<String> e) {
        positive(e, "journeys.session-gap", journeys.sessionGap, true);
        positive(e, "journeys.flush-interval", journeys.flushInterval, true);
        if (!(journeys.smoothing > 0) || Double.isInfinite(journeys.smoothing)) {
            e.add("journeys.smoothing: must be a number above 0, was " + journeys.smoothing);
        }
        if (journeys.minTransitions < 1) {
            e.add("journeys.min-transitions: must be at least 1, was " + journeys.minTransitions);
        }
        if (!(journeys.anomalyThreshold > 0) || Double.isInfinite(journeys.anomalyThreshold)) {
            e.add("journeys.anomaly-threshold: must be a number above 0, was " + journeys.anomalyThreshold);
        }
        if (journeys.maxPathLength < 2 || journeys.maxPathLength > 1000) {
            e.add("journeys.max-path-length: must be between 2 and 1000, was " + journeys.maxPathLength);
        }
        if (journeys.minStateSupport < 0) {
            e.add("journeys.min-state-support: must be at least 0, was " + journeys.minStateSupport);
        }
        if (journeys.userModel == null) {
            e.add("journeys.user-model: required");
        } else {
            positive(e, "journeys.user-model.half-life", journeys.userModel.halfLife, true);
            positive(e, "journeys.user-model.horizon", journeys.userModel.horizon, true);
        }
    }

    private void validateVelocity(List<String> e) {
        if (velocity.rules == null) {
            return;
        }
        if (velocity.enabled && velocity.rules.isEmpty() && controlTopic() == null) {
            e.add("velocity.rules: an empty list and no control topic to add rules through; leave it out for the"
                    + " defaults, or set velocity.enabled: false");
        }
        validateVelocityRules(e, "velocity.rules", velocity.rules);
    }

    /**
     * The checks of a list of velocity rules, each error as {@code "<list>[i].field: message"}; shared by the config's
     * {@code velocity.rules} and the {@code velocity:} list of a rules file.
     */
    public static void validateVelocityRules(List<String> e, String list, List<VelocityRuleSpec> rules) {
        Map<String, Integer> firstIndexOfId = new HashMap<>();
        for (int i = 0; i < rules.size(); i++) {
            String prefix = list + "[" + i + "].";
            VelocityRuleSpec spec = rules.get(i);
            if (spec == null) {
                e.add(list + "[" + i + "]: an empty rule");
                continue;
            }
            List<String> own = new ArrayList<>();
            spec.toValidRule(own);
            own.forEach(error -> e.add(prefix + error));
            if (spec.ruleId != null) {
                Integer first = firstIndexOfId.putIfAbsent(spec.ruleId, i);
                if (first != null) {
                    e.add(prefix + "rule-id: '" + spec.ruleId + "' is already the id of " + list + "[" + first
                            + "]; rule ids must be unique (they key the rule's windows)");
                }
            }
        }
    }

    /** The JDBC password from the environment variable or file the config names; null when neither is set. */
    public String jdbcPassword() {
        return Secrets.resolve("outputs.jdbc", outputs.jdbc.passwordEnv, outputs.jdbc.passwordFile);
    }

    /** The control topic the job reads, or {@code null} when it reads none (file source, or none configured). */
    public String controlTopic() {
        return source.type == SourceType.KAFKA && !isBlank(source.kafka.controlTopic)
                ? source.kafka.controlTopic.strip() : null;
    }

    /** Kafka output bootstrap servers, defaulting to the source's. */
    public String outputBootstrapServers() {
        return isBlank(outputs.kafka.bootstrapServers) ? source.kafka.bootstrapServers : outputs.kafka.bootstrapServers;
    }

    private static void require(List<String> errors, String field, String value) {
        if (isBlank(value)) {
            errors.add(field + ": required");
        }
    }

    private static void positive(List<String> errors, String field, Duration d, boolean required) {
        if (d == null) {
            if (required) {
                errors.add(field + ": required");
            }
        } else if (d.isZero() || d.isNegative()) {
            errors.add(field + ": must be positive, was " + Durations.format(d));
        }
    }

    private static void noSecrets(List<String> errors, String field, Map<String, String> properties) {
        for (String key : properties.keySet()) {
            if (looksLikeSecret(key)) {
                errors.add(field + ": '" + key + "' looks like a secret; secrets come from the environment or a"
                        + " file (sasl-jaas-config-env or sasl-jaas-config-file), never from the config file");
            }
        }
    }

    static boolean isBlank(String s) {
        return s == null || s.isBlank();
    }

    private static String fieldPath(JsonMappingException e) {
        StringBuilder sb = new StringBuilder();
        for (JsonMappingException.Reference ref : e.getPath()) {
            if (ref.getFieldName() != null) {
                if (sb.length() > 0) {
                    sb.append('.');
                }
                sb.append(ref.getFieldName());
            } else if (ref.getIndex() >= 0) {
                sb.append('[').append(ref.getIndex()).append(']');
            }
        }
        return sb.toString();
    }

    /**
     * The config as YAML, for logs and support: it holds no secret (only the names of the variables and files that
     * hold them; Kafka properties that look like secrets are refused by {@link #validate()} and hidden here too).
     */
    @Override
    public String toString() {
        try {
            com.fasterxml.jackson.databind.node.ObjectNode tree = WRITER.valueToTree(this);
            if (tree.path("privacy") instanceof com.fasterxml.jackson.databind.node.ObjectNode) {
                ((com.fasterxml.jackson.databind.node.ObjectNode) tree.path("privacy")).remove("key"); // write-only
            }
            hideSecretLookingProperties(tree.path("source").path("kafka").path("properties"));
            hideSecretLookingProperties(tree.path("outputs").path("kafka").path("properties"));
            return WRITER.writeValueAsString(tree);
        } catch (RuntimeException | JsonProcessingException e) {
            return "JobConfig{source=" + source.type + ", (not printable: " + e.getClass().getSimpleName() + ")}";
        }
    }

    private static void hideSecretLookingProperties(com.fasterxml.jackson.databind.JsonNode node) {
        if (node instanceof com.fasterxml.jackson.databind.node.ObjectNode) {
            com.fasterxml.jackson.databind.node.ObjectNode o = (com.fasterxml.jackson.databind.node.ObjectNode) node;
            List<String> names = new ArrayList<>();
            o.fieldNames().forEachRemaining(names::add);
            for (String name : names) {
                if (looksLikeSecret(name)) {
                    o.put(name, "****");
                }
            }
        }
    }

    private static boolean looksLikeSecret(String key) {
        String k = key.toLowerCase(Locale.ROOT);
        return k.contains("password") || k.contains("jaas") || k.contains("secret");
    }

    private static final ObjectMapper WRITER = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .disable(com.fasterxml.jackson.databind.SerializationFeature.FAIL_ON_EMPTY_BEANS)
            .addModule(new SimpleModule().addSerializer(Duration.class,
                    new com.fasterxml.jackson.databind.ser.std.StdSerializer<Duration>(Duration.class) {
                        @Override
                        public void serialize(Duration d, com.fasterxml.jackson.core.JsonGenerator g,
                                com.fasterxml.jackson.databind.SerializerProvider p) throws IOException {
                            g.writeString(Durations.format(d));
                        }
                    }))
            .build();

    private static final ObjectMapper MAPPER = JsonMapper.builder(new YAMLFactory())
            .propertyNamingStrategy(PropertyNamingStrategies.KEBAB_CASE)
            .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
            .enable(MapperFeature.ACCEPT_CASE_INSENSITIVE_ENUMS)
            .addModule(new SimpleModule()
                    .addDeserializer(Duration.class, new DurationDeserializer())
                    .addDeserializer(Instant.class, new InstantDeserializer()))
            .build();

    static final class DurationDeserializer extends JsonDeserializer<Duration> {
        @Override
        public Duration deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            String text = p.getValueAsString();
            try {
                return Durations.parse(text);
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage());
            }
        }
    }

    static final class InstantDeserializer extends JsonDeserializer<Instant> {
        @Override
        public Instant deserialize(JsonParser p, DeserializationContext ctx) throws IOException {
            try {
                return Instants.parse(p.getText());
            } catch (IllegalArgumentException e) {
                throw JsonMappingException.from(p, e.getMessage());
            }
        }
    }
}
