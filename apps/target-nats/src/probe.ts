// This target's test probe (see @bucket-events/target-kit/probe): a subscription
// to the subject, as the seed's subscriber; a restartable probe uses JetStream
// instead, so the server stores (on disk) what is published, through its restart.
import {
  defineTargetProbe,
  type EventDocument,
  eventsObservation,
  objectKeyOf,
  perUse,
} from '@bucket-events/target-kit/probe';
import { loadServiceEndpoints, localServiceControl } from '@bucket-events/testing/services';
import { connect, type JetStreamManager, type NatsConnection, type Subscription } from 'nats';

export const probe = defineTargetProbe({
  kind: 'nats',
  formats: ['access'],
  async create({ name, restartable = false }) {
    const { natsUrl } = loadServiceEndpoints();
    const subject = name.replaceAll('_', '.');
    const stream = name.toUpperCase();
    const withConnection = perUse(
      () => connect({ servers: natsUrl }),
      (connection) => connection.close(),
    );
    const withManager = <T>(use: (manager: JetStreamManager) => Promise<T>) =>
      withConnection(async (connection) => use(await connection.jetstreamManager()));
    const seen: EventDocument[] = [];
    let listening: { connection: NatsConnection; subscription: Subscription } | undefined;
    return {
      block: {
        enable: true,
        address: new URL(natsUrl).host,
        subject,
        username: '',
        password: '',
        token: '',
        secure: false,
        pingInterval: 0,
        ...(restartable ? { jetstream: true } : {}),
      },
      async prepare() {
        if (restartable) {
          await withManager((manager) => manager.streams.add({ name: stream, subjects: [subject] }));
          return;
        }
        const connection = await connect({ servers: natsUrl });
        const subscription = connection.subscribe(subject, {
          callback: (_error, message) => seen.push(message.json()),
        });
        await connection.flush(); // the subscription is registered before the first event
        listening = { connection, subscription };
      },
      async read() {
        if (!restartable) return eventsObservation(seen);
        return withManager(async (manager) => {
          const info = await manager.streams.info(stream);
          const stored: EventDocument[] = [];
          for (let seq = info.state.first_seq; seq <= info.state.last_seq && info.state.messages > 0; seq++)
            stored.push((await manager.streams.getMessage(stream, { seq })).json());
          return eventsObservation(stored);
        });
      },
      async follow(onArrival) {
        const connection = await connect({ servers: natsUrl });
        connection.subscribe(subject, {
          callback: (_error, message) => onArrival(objectKeyOf(message.json())),
        });
        await connection.flush();
        return { close: () => connection.drain() };
      },
      ...localServiceControl('nats'),
      async cleanup() {
        if (listening) {
          listening.subscription.unsubscribe();
          await listening.connection.drain();
        }
        if (restartable) await withManager((manager) => manager.streams.delete(stream));
      },
    };
  },
});
