// Smoke: Kafka (KRaft) creates a topic, takes a keyed message with acks=all, and
// a kafkajs consumer group reads it back.
import { Partitioners } from 'kafkajs';
import { describe, expect } from 'vitest';
import { test } from '../fixtures.ts';

describe('kafka', () => {
  test('kafkajs createTopics, produce and consume in a group', async ({ kafka }) => {
    expect(
      await kafka.admin.createTopics({
        topics: [{ topic: kafka.topic, numPartitions: 1 }],
        waitForLeaders: true,
      }),
    ).toBe(true);
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
