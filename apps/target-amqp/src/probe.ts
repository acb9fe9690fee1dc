// This target's test probe (see @bucket-events/target-kit/probe): a queue bound to
// the fanout exchange, as the seed's consumer does. The seed's block is its own,
// verbatim but for the address; a restartable one has a durable exchange and queue
// (and persistent messages), so what the broker holds survives its restart.
import {
  defineTargetProbe,
  type EventDocument,
  eventsObservation,
  objectKeyOf,
  perUse,
} from '@bucket-events/target-kit/probe';
import { connectAmqp, loadServiceEndpoints, localServiceControl } from '@bucket-events/testing/services';
import type { Channel } from 'amqplib';

export const probe = defineTargetProbe({
  kind: 'amqp',
  formats: ['access'],
  async create({ name, restartable = false }) {
    const { amqpUrl } = loadServiceEndpoints();
    const seen: EventDocument[] = [];
    /** The exchange as the block declares it, and a queue bound to it. */
    const declareQueue = async (channel: Channel) => {
      await channel.assertExchange(name, 'fanout', { durable: restartable });
      await channel.assertQueue(name, { durable: restartable });
      await channel.bindQueue(name, name, '');
    };
    const withConnection = perUse(
      () => connectAmqp(amqpUrl),
      (connection) => connection.close().catch(() => {}),
    );
    const withChannel = <T>(use: (channel: Channel) => Promise<T>) =>
      withConnection(async (connection) => use(await connection.createChannel()));
    return {
      block: {
        enable: true,
        url: amqpUrl,
        exchange: name,
        routingKey: 'bucketlogs',
        exchangeType: 'fanout',
        mandatory: false,
        immediate: false,
        durable: restartable,
        internal: false,
        noWait: false,
        autoDeleted: false,
      },
      prepare: () => withChannel(declareQueue),
      // Every read takes what the queue holds now on a connection of its own (it survives restarts).
      read: () =>
        withChannel(async (channel) => {
          for (let message = await channel.get(name, { noAck: true }); message; ) {
            seen.push(JSON.parse(message.content.toString()));
            message = await channel.get(name, { noAck: true });
          }
          return eventsObservation(seen);
        }),
      async follow(onArrival) {
        const connection = await connectAmqp(amqpUrl);
        const channel = await connection.createChannel();
        await declareQueue(channel);
        await channel.consume(
          name,
          (message) => message && onArrival(objectKeyOf(JSON.parse(message.content.toString()))),
          { noAck: true },
        );
        return { close: () => connection.close() };
      },
      ...localServiceControl('rabbitmq'),
      cleanup: () =>
        withChannel(async (channel) => {
          await channel.deleteQueue(name);
          await channel.deleteExchange(name);
        }),
    };
  },
});
