// The Kafka target against the real Kafka (KRaft): the shared conformance suite
// read back by a consumer, and the seed's message shape with its key.
import type { TargetJob } from '@bucket-events/contracts';
import {
  conformanceJob,
  probedConformanceTarget,
  targetConformanceSuite,
} from '@bucket-events/target-kit/conformance';
import { createReadyTopic, loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { Kafka, logLevel } from 'kafkajs';
import { afterAll, describe, expect, it } from 'vitest';
import { targetApp } from './index.ts';
import { probe } from './probe.ts';
import { KafkaSink } from './sink.ts';

const { kafkaBrokers } = loadServiceEndpoints();
const kafka = new Kafka({
  clientId: 'target-kafka-tests',
  brokers: kafkaBrokers,
  logLevel: logLevel.NOTHING,
});
const admin = kafka.admin();
afterAll(() => admin.disconnect());

interface Received {
  key: string;
  value: { EventName: string; EventType: string; Key: string; Records: TargetJob['record'][] };
}

/** A fresh one-partition topic and a consumer collecting everything written to it, in order. */
async function topicWithReader() {
  await admin.connect();
  const topic = uniqueName('events');
  await createReadyTopic(admin, topic);
  const received: Received[] = [];
  const consumer = kafka.consumer({ groupId: uniqueName('reader') });
  await consumer.connect();
  await consumer.subscribe({ topic, fromBeginning: true });
  await consumer.run({
    eachMessage: async ({ message }) => {
      received.push({ key: String(message.key), value: JSON.parse(String(message.value)) });
    },
  });
  return {
    topic,
    received,
    async remove() {
      await consumer.disconnect();
      await admin.deleteTopics({ topics: [topic] }).catch(() => {});
    },
  };
}

const options = (topic: string) => ({
  brokers: kafkaBrokers,
  topic,
  sasl: { enable: false, username: '', password: '', mechanism: 'plain' as const },
  tls: { enable: false, skipVerify: false },
  acks: -1 as const,
});

// Read back through this kind's probe, with the sink the app makes from the probe's block.
targetConformanceSuite({ kind: 'kafka', setup: () => probedConformanceTarget(targetApp, probe) });

describe('kafka target', () => {
  it('sends {"EventName","EventType","Key","Records"} keyed by bucket/key', async () => {
    const reader = await topicWithReader();
    const sink = new KafkaSink(options(reader.topic));
    await sink.connect();
    try {
      const job = conformanceJob('kafka', 'images/myphoto.jpg');
      await sink.write([job]);
      const deadline = Date.now() + 20_000;
      while (reader.received.length === 0 && Date.now() < deadline)
        await new Promise((r) => setTimeout(r, 50));
      expect(reader.received).toEqual([
        {
          key: 'conformance/images/myphoto.jpg',
          value: {
            EventName: 's3:ObjectCreated:Put',
            EventType: 's3:ObjectCreated:Put',
            Key: 'conformance/images/myphoto.jpg',
            Records: [job.record],
          },
        },
      ]);
    } finally {
      await sink.close();
      await reader.remove();
    }
  }, 60_000);
});
