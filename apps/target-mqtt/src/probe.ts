// This target's test probe (see @bucket-events/target-kit/probe): a subscriber on
// the topic of the local Mosquitto (./subscriber.ts). A restartable probe's
// subscriber is durable: its session, persisted by the broker, keeps the
// subscription through a restart, and the broker queues what comes meanwhile.
import { defineTargetProbe, eventsObservation, objectKeyOf } from '@bucket-events/target-kit/probe';
import { loadServiceEndpoints, localServiceControl } from '@bucket-events/testing/services';
import { type MqttSubscriber, startMqttSubscriber } from './subscriber.ts';

export const probe = defineTargetProbe({
  kind: 'mqtt',
  formats: ['access'],
  async create({ name, restartable = false }) {
    const { mqttUrl } = loadServiceEndpoints();
    const topic = `bucketevents/${name}`;
    let subscriber: MqttSubscriber | undefined;
    const received = () => subscriber?.received ?? [];
    return {
      // MinIO's `tcp://` scheme; QoS 1, so the broker confirms each event.
      block: { enable: true, broker: mqttUrl.replace(/^mqtt:/, 'tcp:'), topic, qos: 1 },
      async prepare() {
        subscriber = await startMqttSubscriber({ url: mqttUrl, topic, durable: restartable });
      },
      read: async () => eventsObservation(received()),
      // A broker restart may deliver some twice: distinct events, by sequencer.
      count: async () => new Set(received().map((message) => message.Records[0]?.s3.object.sequencer)).size,
      async follow(onArrival) {
        // Durable: a benchmark's drain phase stops the app, not the broker, but nothing may be missed.
        const follower = await startMqttSubscriber({
          url: mqttUrl,
          topic,
          durable: true,
          keep: false,
          onMessage: (message) => onArrival(objectKeyOf(message)),
        });
        return { close: () => follower.close() };
      },
      ...localServiceControl('mosquitto'),
      cleanup: async () => subscriber?.close(),
    };
  },
});
