// Smoke: NATS delivers a core publish, and JetStream acknowledges and stores one.
import { JSONCodec } from 'nats';
import { describe, expect } from 'vitest';
import { test } from '../fixtures.ts';

const codec = JSONCodec<{ key: string }>();

describe('nats', () => {
  test('core publish reaches a subscriber', async ({ nats }) => {
    const subscription = nats.connection.subscribe(nats.subject, { max: 1 });
    nats.connection.publish(nats.subject, codec.encode({ key: 'a.jpg' }));
    for await (const message of subscription) {
      expect(codec.decode(message.data)).toEqual({ key: 'a.jpg' });
    }
    expect(subscription.getReceived()).toBe(1);
  });

  test('JetStream acknowledges a publish, de-duplicates by message id and stores it', async ({ nats }) => {
    const manager = await nats.connection.jetstreamManager();
    await manager.streams.add({ name: nats.stream, subjects: [nats.subject] });
    const jetstream = nats.connection.jetstream();
    const first = await jetstream.publish(nats.subject, codec.encode({ key: 'a.jpg' }), { msgID: 'event-1' });
    const again = await jetstream.publish(nats.subject, codec.encode({ key: 'a.jpg' }), { msgID: 'event-1' });
    expect(first.seq).toBe(1);
    expect(again.duplicate).toBe(true);
    const stored = await manager.streams.getMessage(nats.stream, { seq: 1 });
    expect(codec.decode(stored.data)).toEqual({ key: 'a.jpg' });
    expect((await manager.streams.info(nats.stream)).state.messages).toBe(1);
  });
});
