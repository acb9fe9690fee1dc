// The NATS target against the real NATS server: the shared conformance suite
// for core publish and for JetStream (read back through a stream on the
// subject), the seed's message shape, and JetStream de-duplication.
import type { TargetJob } from '@bucket-events/contracts';
import {
  conformanceJob,
  probedConformanceTarget,
  targetConformanceSuite,
} from '@bucket-events/target-kit/conformance';
import { loadServiceEndpoints, uniqueName } from '@bucket-events/testing';
import { connect, type NatsConnection } from 'nats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { targetApp } from './index.ts';
import { probe } from './probe.ts';
import { NatsSink } from './sink.ts';

const { natsUrl } = loadServiceEndpoints();
const address = new URL(natsUrl).host;
let reader: NatsConnection;
beforeAll(async () => {
  reader = await connect({ servers: natsUrl });
});
afterAll(() => reader.drain());

const decoder = new TextDecoder();

/** A stream capturing the subject, so tests can read back what was published, in order. */
async function captured(subject: string) {
  const stream = uniqueName('STREAM');
  const manager = await reader.jetstreamManager();
  await manager.streams.add({ name: stream, subjects: [subject], duplicate_window: 60_000_000_000 });
  return {
    async messages() {
      const info = await manager.streams.info(stream);
      const out: { EventName: string; Key: string; Records: TargetJob['record'][] }[] = [];
      for (let seq = 1; seq <= info.state.last_seq; seq++) {
        const message = await manager.streams.getMessage(stream, { seq });
        out.push(JSON.parse(decoder.decode(message.data)));
      }
      return out;
    },
    remove: () => manager.streams.delete(stream).then(() => undefined),
  };
}

const options = (subject: string, jetstream: boolean) => ({
  address,
  subject,
  username: '',
  password: '',
  token: '',
  secure: false,
  tlsSkipVerify: false,
  pingInterval: 0,
  jetstream,
});

// Read back through this kind's probe (a restartable one publishes to JetStream), with the sink
// the app makes from the probe's block.
for (const jetstream of [false, true]) {
  targetConformanceSuite({
    kind: jetstream ? 'nats-jetstream' : 'nats',
    setup: () => probedConformanceTarget(targetApp, probe, { restartable: jetstream }),
  });
}

describe('nats target', () => {
  it('publishes {"EventName","EventType","Key","Records"} and JetStream drops a re-sent event', async () => {
    const subject = uniqueName('events').replaceAll('_', '.');
    const stream = await captured(subject);
    const sink = new NatsSink(options(subject, true));
    await sink.connect();
    try {
      const job = conformanceJob('nats', 'images/myphoto.jpg');
      await sink.write([job]);
      await sink.write([job]); // a redelivery after a crash
      expect(await stream.messages()).toEqual([
        {
          EventName: 's3:ObjectCreated:Put',
          EventType: 's3:ObjectCreated:Put',
          Key: 'conformance/images/myphoto.jpg',
          Records: [job.record],
        },
      ]);
    } finally {
      await sink.close();
      await stream.remove();
    }
  });
});
