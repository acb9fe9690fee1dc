// This target's test probe (see @bucket-events/target-kit/probe): an endpoint in
// the test's own process (./receiver.ts) that takes every POST. Stopping its
// "server" closes the endpoint and drops its connections; starting it listens
// again on the same port.
import type { BrokerMessage } from '@bucket-events/contracts';
import { defineTargetProbe, eventsObservation, objectKeyOf } from '@bucket-events/target-kit/probe';
import { startWebhookReceiver } from './receiver.ts';

export const probe = defineTargetProbe({
  kind: 'webhook',
  formats: ['access'],
  async create({ name, restartable = false }) {
    const seen: BrokerMessage[] = [];
    let onArrival: ((key: string) => void) | undefined;
    const receiver = await startWebhookReceiver({
      path: `/${name}`,
      // Kept here until followed: a benchmark takes millions.
      keep: false,
      onReceived: (message) => (onArrival ? onArrival(objectKeyOf(message)) : seen.push(message)),
    });
    return {
      block: { enable: true, endpoint: receiver.endpoint, ...(restartable ? { authToken: name } : {}) },
      async prepare() {},
      read: async () => eventsObservation(seen),
      // A stopped endpoint cuts POSTs off, which are sent again: distinct events, by sequencer.
      count: async () => new Set(seen.map((message) => message.Records[0]?.s3.object.sequencer)).size,
      async follow(callback) {
        onArrival = callback;
        return {
          close: async () => {
            onArrival = undefined;
          },
        };
      },
      stopServer: () => receiver.stop(),
      startServer: () => receiver.start(),
      cleanup: () => receiver.close(),
    };
  },
});
