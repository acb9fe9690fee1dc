// A fresh Kafka topic that is ready to be read and written the moment it is returned.
import type { Admin } from 'kafkajs';

const POLL_MS = 100;

/**
 * Creates a one-partition topic and resolves once the broker's metadata names a leader for it:
 * true if this call created the topic, false if it already existed.
 *
 * kafkajs's own `waitForLeaders` retries only LEADER_NOT_AVAILABLE. Right after the KRaft
 * controller has created a topic, the broker's metadata cache can still answer
 * UNKNOWN_TOPIC_OR_PARTITION for a moment; kafkajs then fails `createTopics` — or the first
 * `consumer.subscribe` — with "This server does not host this topic-partition" (CI saw it).
 */
export async function createReadyTopic(admin: Admin, topic: string, timeoutMs = 30_000): Promise<boolean> {
  const created = await admin.createTopics({ topics: [{ topic, numPartitions: 1 }], waitForLeaders: false });
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const { topics } = await admin.fetchTopicMetadata({ topics: [topic] });
      const partitions = topics.find((t) => t.name === topic)?.partitions ?? [];
      if (partitions.length > 0 && partitions.every((p) => p.leader >= 0)) return created;
    } catch (error) {
      if (!isRetriableKafkaError(error)) throw error;
    }
    if (Date.now() >= deadline) throw new Error(`Kafka topic ${topic} has no leader after ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
  }
}

/** kafkajs marks protocol errors that clear by themselves (unknown topic, no leader yet) as retriable. */
function isRetriableKafkaError(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { retriable?: unknown }).retriable === true;
}
