// A real MQTT subscriber, for tests: this target's own, and the end-to-end
// suites that run the product against every target (seed walkthrough, outages,
// faults, benchmark). It records what arrives on a topic in arrival order. A
// durable one (a persistent session, QoS 1) keeps its subscription through a
// broker restart, and the broker queues what is published meanwhile.
import type { BrokerMessage } from '@bucket-events/contracts';
import mqtt from 'mqtt';

export interface MqttSubscriber {
  /** Every message, in arrival order. */
  readonly received: BrokerMessage[];
  close(): Promise<void>;
}

export interface MqttSubscriberOptions {
  /** `mqtt://host:port` */
  url: string;
  topic: string;
  /** A persistent session that survives broker restarts (default false: a clean one). */
  durable?: boolean;
  /** Called for every message, as it arrives. */
  onMessage?(message: BrokerMessage): void;
  /** Keep messages in `received` (default true; a benchmark taking millions does not). */
  keep?: boolean;
}

let counter = 0;

export async function startMqttSubscriber(options: MqttSubscriberOptions): Promise<MqttSubscriber> {
  const received: BrokerMessage[] = [];
  counter += 1;
  const client = await mqtt.connectAsync(options.url, {
    clientId: `bucket-events-test-${process.pid}-${counter}-${Date.now()}`,
    clean: !options.durable,
    reconnectPeriod: options.durable ? 250 : 0,
    connectTimeout: 5000,
  });
  client.on('error', () => {});
  client.on('message', (_topic, payload) => {
    const message = JSON.parse(payload.toString('utf8')) as BrokerMessage;
    if (options.keep !== false) received.push(message);
    options.onMessage?.(message);
  });
  await client.subscribeAsync(options.topic, { qos: 1 });
  return {
    received,
    close: async () => {
      // A durable session is ended for good: unsubscribed, so the broker stops keeping it.
      if (options.durable && client.connected) await client.unsubscribeAsync(options.topic).catch(() => {});
      await client.endAsync(true);
    },
  };
}
