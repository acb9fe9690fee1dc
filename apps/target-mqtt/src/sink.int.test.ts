// The MQTT target against the real Mosquitto: the shared conformance suite at
// QoS 1 and 2 (read back by a subscriber on the topic), MinIO's message shape,
// MinIO's broker schemes, and a broker that is not there.
import { randomUUID } from 'node:crypto';
import {
  conformanceJob,
  probedConformanceTarget,
  targetConformanceSuite,
} from '@bucket-events/target-kit/conformance';
import { loadServiceEndpoints } from '@bucket-events/testing';
import { describe, expect, it } from 'vitest';
import { targetApp } from './index.ts';
import { probe } from './probe.ts';
import { brokerUrl, MqttSink } from './sink.ts';
import { startMqttSubscriber } from './subscriber.ts';

const { mqttUrl } = loadServiceEndpoints();
const broker = mqttUrl.replace(/^mqtt:/, 'tcp:'); // as MinIO users write it

const sinkOptions = (topic: string, qos: 0 | 1 | 2) => ({
  broker,
  topic,
  qos,
  username: '',
  password: '',
  keepAliveInterval: '',
});

// Read back through this kind's probe, with the sink the app makes from the probe's block.
for (const qos of [1, 2] as const) {
  targetConformanceSuite({
    kind: `mqtt-qos${qos}`,
    setup: () => probedConformanceTarget(targetApp, probe, { overrides: { qos } }),
  });
}

describe('mqtt target', () => {
  it('publishes {"EventName","EventType","Key","Records"} to the topic, not retained', async () => {
    const topic = `bucketevents/${randomUUID()}`;
    const subscriber = await startMqttSubscriber({ url: mqttUrl, topic });
    const sink = new MqttSink(sinkOptions(topic, 1));
    try {
      await sink.connect();
      const job = conformanceJob('mqtt', 'images/myphoto.jpg');
      expect(await sink.write([job])).toBeUndefined();
      await expect
        .poll(() => subscriber.received, { timeout: 10_000 })
        .toEqual([
          {
            EventName: 's3:ObjectCreated:Put',
            EventType: 's3:ObjectCreated:Put',
            Key: 'conformance/images/myphoto.jpg',
            Records: [job.record],
          },
        ]);
      // Not retained: a subscriber that comes later gets nothing.
      const later = await startMqttSubscriber({ url: mqttUrl, topic });
      await sink.write([conformanceJob('mqtt', 'images/second.jpg')]);
      await expect.poll(() => later.received.length, { timeout: 10_000 }).toBe(1);
      expect(later.received[0]?.Key).toBe('conformance/images/second.jpg');
      await later.close();
    } finally {
      await sink.close();
      await subscriber.close();
    }
  });

  it("takes MinIO's broker schemes", () => {
    expect(brokerUrl('tcp://127.0.0.1:1883')).toBe('mqtt://127.0.0.1:1883');
    expect(brokerUrl('ssl://broker:8883')).toBe('mqtts://broker:8883');
    expect(brokerUrl('tls://broker:8883')).toBe('mqtts://broker:8883');
    expect(brokerUrl('wss://broker/mqtt')).toBe('wss://broker/mqtt');
  });

  it('cannot connect to a broker that is not there, and says so as a reconnect', async () => {
    const sink = new MqttSink({ ...sinkOptions('t', 1), broker: 'tcp://127.0.0.1:1' });
    const error = await sink.connect().catch((e) => e);
    expect(error).toBeInstanceOf(Error);
    expect(sink.classify(error)).toBe('reconnect');
    await expect(sink.write([conformanceJob('mqtt', 'a')])).rejects.toThrow(/not connected/);
  });
});
