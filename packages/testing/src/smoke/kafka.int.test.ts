// Smoke: Kafka (KRaft) creates a topic that is ready at once, takes a keyed message with acks=all, and
// a kafkajs consumer group reads it back.
import { Partitioners } from 'kafkajs';
import { describe, expect } from 'vitest';
import { test } from '../fixtures.ts';
import { createReadyTopic } from '../kafka-topic.ts';

describe('kafka', () => {
  test('createReadyTopic, then produce and consume in a group at once', async ({ kafka }) => {
    expect(await createReadyTopic(kafka.admin, kafka.topic)).toBe(true);
    const { topics } = await kafka.admin.fetchTopicMetadata({ topics: [kafka.topic] });
    expect(topics[0]?.partitions.map((p) => p.leader >= 0)).toEqual([true]);
    const producer = kafka.kafka.producer({ createPartitioner: Partitioners.DefaultPartitioner });
    const consumer = kafka.kafka.consumer({ groupId: kafka.groupId });
    try {
      await producer.connect();
      await producer.send({
        topic: kafka.topic,
        acks: -1,
        messages: [{ key: 'bucket/a.jpg', value: '{"n":1}' }],
      });
      await consumer.connect();
      await consumer.subscribe({ topic: kafka.topic, fromBeginning: true });
      const received = new Promise<{ key: string; value: string }>((resolve) => {
        void consumer.run({
          eachMessage: async ({ message }) =>
            resolve({ key: String(message.key), value: String(message.value) }),
        });
      });
      expect(await received).toEqual({ key: 'bucket/a.jpg', value: '{"n":1}' });
    } finally {
      await consumer.disconnect();
      await producer.disconnect();
    }
  });
});
