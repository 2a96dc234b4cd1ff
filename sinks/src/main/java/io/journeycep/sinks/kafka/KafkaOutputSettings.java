package io.journeycep.sinks.kafka;

import java.io.Serializable;
import java.util.Objects;
import java.util.Properties;
import java.util.TreeSet;
import org.apache.flink.connector.base.DeliveryGuarantee;

/**
 * Where and how the Kafka sinks write (DESIGN §4). Immutable; {@code with*} return a copy, and {@link #extra()}
 * returns a copy of the extra producer properties.
 *
 * <p>{@code extra} carries whatever else the producer needs, typically security ({@code security.protocol},
 * {@code sasl.mechanism}, {@code sasl.jaas.config}, {@code ssl.*}). {@link #toString()} lists only its keys, never
 * values, so credentials do not reach logs.
 *
 * <p>{@code transactionalIdPrefix} must be unique per job on a Kafka cluster: two jobs with the same prefix fence
 * each other's transactions.
 */
public final class KafkaOutputSettings implements Serializable {
    private static final long serialVersionUID = 1L;

    public static final String DEFAULT_TRIGGERS_TOPIC = "journey.triggers";
    public static final String DEFAULT_RISK_TOPIC = "risk.alerts";
    public static final String DEFAULT_DEAD_LETTER_TOPIC = "events.dlq";
    public static final String DEFAULT_LATE_TOPIC = "events.late";
    /** The topic of segment changes, given to {@link KafkaSinks#segmentChanges} (DESIGN §4 {@code segment.updates}). */
    public static final String DEFAULT_SEGMENTS_TOPIC = "segment.updates";
    public static final String DEFAULT_TRANSACTIONAL_ID_PREFIX = "journey-cep";

    private final String bootstrapServers;
    private final String triggersTopic;
    private final String riskTopic;
    private final String deadLetterTopic;
    private final String lateTopic;
    private final String transactionalIdPrefix;
    private final DeliveryGuarantee deliveryGuarantee;
    private final Properties extra;

    /** The defaults for everything but the brokers: DESIGN §4 topic names and EXACTLY_ONCE. */
    public KafkaOutputSettings(String bootstrapServers) {
        this(
                bootstrapServers,
                DEFAULT_TRIGGERS_TOPIC,
                DEFAULT_RISK_TOPIC,
                DEFAULT_DEAD_LETTER_TOPIC,
                DEFAULT_LATE_TOPIC,
                DEFAULT_TRANSACTIONAL_ID_PREFIX,
                DeliveryGuarantee.EXACTLY_ONCE,
                new Properties());
    }

    public KafkaOutputSettings(
            String bootstrapServers,
            String triggersTopic,
            String riskTopic,
            String deadLetterTopic,
            String lateTopic,
            String transactionalIdPrefix,
            DeliveryGuarantee deliveryGuarantee,
            Properties extra) {
        this.bootstrapServers = requireText(bootstrapServers, "bootstrapServers");
        this.triggersTopic = requireText(triggersTopic, "triggersTopic");
        this.riskTopic = requireText(riskTopic, "riskTopic");
        this.deadLetterTopic = requireText(deadLetterTopic, "deadLetterTopic");
        this.lateTopic = requireText(lateTopic, "lateTopic");
        this.transactionalIdPrefix = requireText(transactionalIdPrefix, "transactionalIdPrefix");
        this.deliveryGuarantee = Objects.requireNonNull(deliveryGuarantee, "deliveryGuarantee");
        this.extra = copy(extra);
    }

    public static KafkaOutputSettings of(String bootstrapServers) {
        return new KafkaOutputSettings(bootstrapServers);
    }

    public String bootstrapServers() {
        return bootstrapServers;
    }

    public String triggersTopic() {
        return triggersTopic;
    }

    public String riskTopic() {
        return riskTopic;
    }

    public String deadLetterTopic() {
        return deadLetterTopic;
    }

    public String lateTopic() {
        return lateTopic;
    }

    public String transactionalIdPrefix() {
        return transactionalIdPrefix;
    }

    public DeliveryGuarantee deliveryGuarantee() {
        return deliveryGuarantee;
    }

    /** A copy of the extra producer properties. */
    public Properties extra() {
        return copy(extra);
    }

    public KafkaOutputSettings withTopics(
            String triggersTopic, String riskTopic, String deadLetterTopic, String lateTopic) {
        return new KafkaOutputSettings(bootstrapServers, triggersTopic, riskTopic, deadLetterTopic, lateTopic,
                transactionalIdPrefix, deliveryGuarantee, extra);
    }

    public KafkaOutputSettings withTransactionalIdPrefix(String prefix) {
        return new KafkaOutputSettings(bootstrapServers, triggersTopic, riskTopic, deadLetterTopic, lateTopic,
                prefix, deliveryGuarantee, extra);
    }

    public KafkaOutputSettings withDeliveryGuarantee(DeliveryGuarantee guarantee) {
        return new KafkaOutputSettings(bootstrapServers, triggersTopic, riskTopic, deadLetterTopic, lateTopic,
                transactionalIdPrefix, guarantee, extra);
    }

    public KafkaOutputSettings withExtra(Properties extra) {
        return new KafkaOutputSettings(bootstrapServers, triggersTopic, riskTopic, deadLetterTopic, lateTopic,
                transactionalIdPrefix, deliveryGuarantee, extra);
    }

    /** Lists the keys of {@code extra}, never their values. */
    @Override
    public String toString() {
        return "KafkaOutputSettings{bootstrapServers=" + bootstrapServers
                + ", triggersTopic=" + triggersTopic + ", riskTopic=" + riskTopic
                + ", deadLetterTopic=" + deadLetterTopic + ", lateTopic=" + lateTopic
                + ", transactionalIdPrefix=" + transactionalIdPrefix + ", deliveryGuarantee=" + deliveryGuarantee
                + ", extraKeys=" + new TreeSet<>(extra.stringPropertyNames()) + '}';
    }

    private static Properties copy(Properties p) {
        Properties out = new Properties();
        if (p != null) {
            for (String k : p.stringPropertyNames()) {
                out.setProperty(k, p.getProperty(k));
            }
        }
        return out;
    }

    private static String requireText(String s, String what) {
        if (s == null || s.isBlank()) {
            throw new IllegalArgumentException(what + " must be set");
        }
        return s;
    }
}
