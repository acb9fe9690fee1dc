// This target's test probe (see @bucket-events/target-kit/probe): a consumer on
// the topic from its beginning, as the seed's. A restartable probe reads anew
// each time (up to the topic's end offset at that moment), so a broker restart
// between reads does not matter, and counts by offsets, which is cheaper.
import {
  defineTargetProbe,
  type EventDocument,
  eventsObservation,
  objectKeyOf,
  perUse,
} from '@bucket-events/target-kit/probe';
import { createReadyTopic, loadServiceEndpoints, localServiceControl } from '@bucket-events/testing/services';
import { type Consumer, Kafka, logLevel } from 'kafkajs';
import { noDelaySocketFactory } from './socket.ts';

export const probe = defineTargetProbe({
  kind: 'kafka',
  formats: ['access'],
  async create({ name, restartable = false }) {
    const { kafkaBrokers } = loadServiceEndpoints();
    const kafka = new Kafka({
      clientId: 'probe',
      brokers: kafkaBrokers,
      socketFactory: noDelaySocketFactory,
      logLevel: logLevel.NOTHING,
    });
    const withAdmin = perUse(
      async () => {
        const admin = kafka.admin();
        await admin.connect();
        return admin;
      },
      (admin) => admin.disconnect(),
    );
    const endOffset = () =>
      withAdmin(async (admin) => Number((await admin.fetchTopicOffsets(name))[0]?.high ?? 0));
    const parse = (value: Buffer | null) => JSON.parse(String(value)) as EventDocument;
    const seen: EventDocument[] = [];
    let listening: Consumer | undefined;
    /** Everything up to the end offset, by a consumer group of its own. */
    const readAnew = async () => {
      const total = await endOffset();
      const stored: EventDocument[] = [];
      if (total === 0) return stored;
      const consumer = kafka.consumer({ groupId: `${name}-${Date.now()}` });
      await consumer.connect();
      await consumer.subscribe({ topic: name, fromBeginning: true });
      await new Promise<void>((resolve, reject) => {
        consumer
          .run({
            autoCommit: false,
            eachMessage: async ({ message }) => {
              if (stored.length < total) stored.push(parse(message.value));
              if (stored.length >= total) resolve();
            },
          })
          .catch(reject);
      });
      await consumer.disconnect();
      return stored;
    };
    return {
      block: { enable: true, brokers: kafkaBrokers, topic: name },
      async prepare() {
        await withAdmin((admin) => createReadyTopic(admin, name));
        if (restartable) return;
        listening = kafka.consumer({ groupId: `${name}-reader` });
        await listening.connect();
        await listening.subscribe({ topic: name, fromBeginning: true });
        await listening.run({ eachMessage: async ({ message }) => void seen.push(parse(message.value)) });
      },
      read: async () => eventsObservation(listening ? seen : await readAnew()),
      // Messages in the topic (duplicates included): a consumer group join per poll would be too slow.
      count: restartable ? endOffset : undefined,
      async follow(onArrival) {
        await withAdmin((admin) => createReadyTopic(admin, name));
        const consumer = kafka.consumer({
          groupId: `${name}-follow`,
          // The broker answers a fetch as soon as one message is there (minBytes 1): a short wait
          // only makes the consumer ask 200 times a second, which kept Kafka's JVM busy.
          maxWaitTimeInMs: 100,
        });
        await consumer.connect();
        await consumer.subscribe({ topic: name, fromBeginning: true });
        await consumer.run({
          // A group of its own, read from the beginning: committing offsets would only add requests.
          autoCommit: false,
          eachMessage: async ({ message }) => onArrival(objectKeyOf(parse(message.value))),
        });
        return { close: () => consumer.disconnect() };
      },
      ...localServiceControl('kafka'),
      async cleanup() {
        await listening?.disconnect();
        await withAdmin((admin) => admin.deleteTopics({ topics: [name] })).catch(() => {});
      },
    };
  },
});
