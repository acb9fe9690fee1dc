// The AMQP target against the real RabbitMQ: the shared conformance suite read
// back from a queue bound to the exchange, the message as consumers see it,
// one exchange declaration per connection, unroutable mandatory messages, and
// recovery after the broker closed the channel.
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { TargetJob } from '@bucket-events/contracts';
import {
  conformanceJob,
  probedConformanceTarget,
  targetConformanceSuite,
} from '@bucket-events/target-kit/conformance';
import { connectAmqp, loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import type * as amqp from 'amqplib';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { targetApp } from './index.ts';
import { probe } from './probe.ts';
import { AmqpSink, type AmqpSinkOptions, amqpMessageId } from './sink.ts';

const { amqpUrl } = loadServiceEndpoints();
let reader: amqp.ChannelModel | undefined;
afterAll(() => reader?.close());

/** A fanout exchange with one queue bound to it, and everything that queue received, in order. */
async function boundQueue() {
  reader ??= await connectAmqp(amqpUrl);
  const channel = await reader.createChannel();
  const exchange = uniqueName('ex');
  const queue = uniqueName('q');
  await channel.assertExchange(exchange, 'fanout', { durable: false });
  await channel.assertQueue(queue, { durable: false });
  await channel.bindQueue(queue, exchange, '');
  const received: amqp.GetMessage[] = [];
  return {
    exchange,
    queue,
    async messages() {
      for (let message = await channel.get(queue, { noAck: true }); message; ) {
        received.push(message);
        message = await channel.get(queue, { noAck: true });
      }
      return received;
    },
    async remove() {
      await channel.deleteQueue(queue).catch(() => {});
      await channel.deleteExchange(exchange).catch(() => {});
      await channel.close().catch(() => {});
    },
  };
}

const options = (exchange: string, overrides: Partial<AmqpSinkOptions> = {}): AmqpSinkOptions => ({
  url: amqpUrl,
  exchange,
  routingKey: 'bucketlogs',
  exchangeType: 'fanout',
  mandatory: false,
  immediate: false,
  durable: false,
  internal: false,
  noWait: false,
  autoDeleted: false,
  deliveryMode: 0,
  ...overrides,
});

const body = (message: amqp.GetMessage) =>
  JSON.parse(message.content.toString()) as { Key: string; Records: TargetJob['record'][] };

// Read back through this kind's probe, with the sink the app makes from the probe's block.
targetConformanceSuite({ kind: 'amqp', setup: () => probedConformanceTarget(targetApp, probe) });

describe('amqp target', () => {
  it('publishes the seed message, persistent, with bucket and event headers and a message id', async () => {
    const queue = await boundQueue();
    const sink = new AmqpSink(options(queue.exchange));
    await sink.connect();
    try {
      const job = conformanceJob('amqp', 'images/myphoto.jpg');
      expect(await sink.write([job])).toBeUndefined();
      const [message, ...rest] = await queue.messages();
      expect(rest).toHaveLength(0);
      expect(message?.properties).toMatchObject({
        contentType: 'application/json',
        deliveryMode: 2,
        messageId: amqpMessageId(job),
        headers: { 'minio-bucket': 'conformance', 'minio-event': 's3:ObjectCreated:Put' },
      });
      expect(message?.fields.routingKey).toBe('bucketlogs');
      expect(JSON.parse(String(message?.content))).toEqual({
        EventName: 's3:ObjectCreated:Put',
        EventType: 's3:ObjectCreated:Put',
        Key: 'conformance/images/myphoto.jpg',
        Records: [job.record],
      });
    } finally {
      await sink.close();
      await queue.remove();
    }
  });

  it('declares the exchange once per connection, not per message', async () => {
    // The channel class is not exported; load it by file path (the same module instance amqplib uses).
    const require = createRequire(import.meta.url);
    const modelFile = join(dirname(require.resolve('amqplib')), 'lib', 'channel_model.js');
    const { ConfirmChannel } = require(modelFile) as {
      ConfirmChannel: { prototype: amqp.ConfirmChannel };
    };
    const declare = vi.spyOn(ConfirmChannel.prototype, 'assertExchange');
    const queue = await boundQueue();
    const sink = new AmqpSink(options(queue.exchange, { deliveryMode: 1 }));
    try {
      await sink.connect();
      for (let i = 0; i < 3; i++)
        await sink.write([conformanceJob('amqp', `a${i}`), conformanceJob('amqp', 'b')]);
      expect(declare).toHaveBeenCalledTimes(1);
      expect(declare).toHaveBeenCalledWith(queue.exchange, 'fanout', {
        durable: false,
        internal: false,
        autoDelete: false,
      });
      const messages = await queue.messages();
      expect(messages).toHaveLength(6);
      expect(messages.every((message) => message.properties.deliveryMode === 1)).toBe(true);
    } finally {
      declare.mockRestore();
      await sink.close();
      await queue.remove();
    }
  });

  it('reports a mandatory message nobody could receive as failed, the routed ones as delivered', async () => {
    reader ??= await connectAmqp(amqpUrl);
    const exchange = uniqueName('direct');
    const queue = uniqueName('q');
    const setupChannel = await reader.createChannel();
    await setupChannel.assertExchange(exchange, 'direct', { durable: false });
    await setupChannel.assertQueue(queue, { durable: false });
    await setupChannel.bindQueue(queue, exchange, 'routed');
    const routed = new AmqpSink(
      options(exchange, { exchangeType: 'direct', routingKey: 'routed', mandatory: true }),
    );
    const lost = new AmqpSink(
      options(exchange, { exchangeType: 'direct', routingKey: 'nobody', mandatory: true }),
    );
    try {
      await routed.connect();
      await lost.connect();
      expect(await routed.write([conformanceJob('amqp', 'x')])).toBeUndefined();
      const failures = await lost.write([conformanceJob('amqp', 'y'), conformanceJob('amqp', 'z')]);
      expect([...(failures?.keys() ?? [])]).toEqual([0, 1]);
      expect(failures?.get(0)?.classification).toBe('retry');
      expect((await setupChannel.checkQueue(queue)).messageCount).toBe(1);
    } finally {
      await routed.close();
      await lost.close();
      await setupChannel.deleteQueue(queue);
      await setupChannel.deleteExchange(exchange);
      await setupChannel.close();
    }
  });

  it('asks for a reconnect when the broker closed the channel, and works again after it', async () => {
    const queue = await boundQueue();
    const sink = new AmqpSink(options(queue.exchange));
    await sink.connect();
    try {
      // Deleting the exchange under the sink makes the broker close its channel (404) on the next publish.
      const admin = await (reader as amqp.ChannelModel).createChannel();
      await admin.deleteExchange(queue.exchange);
      await admin.close();
      const error = await sink.write([conformanceJob('amqp', 'gone')]).catch((e: unknown) => e);
      expect(error).toBeInstanceOf(Error);
      expect(sink.classify(error)).toBe('reconnect');
      await sink.connect(); // what the kit does next: the exchange is declared again
      const rebind = await (reader as amqp.ChannelModel).createChannel();
      await rebind.bindQueue(queue.queue, queue.exchange, '');
      await rebind.close();
      expect(await sink.write([conformanceJob('amqp', 'back')])).toBeUndefined();
      expect((await queue.messages()).map((message) => body(message).Key)).toEqual(['conformance/back']);
    } finally {
      await sink.close();
      await queue.remove();
    }
  });
});
