// This target's test probe (see @bucket-events/target-kit/probe): the list the
// seed's RPUSH fills (access) or the hash of the namespace view. On the shared
// Redis, unless restartable: then a Redis of the probe's own, because the shared
// one is BullMQ's store, which the whole pipeline needs.
import {
  defineTargetProbe,
  type EventDocument,
  eventsObservation,
  objectKeyOf,
  perUse,
  viewObservation,
} from '@bucket-events/target-kit/probe';
import { loadServiceEndpoints, localServiceControl, privateRedis } from '@bucket-events/testing/services';
import { Redis } from 'ioredis';

export const probe = defineTargetProbe({
  kind: 'redis',
  // The seed's block has no `format`; its output (RPUSH) is the access format.
  formats: ['access', 'namespace'],
  async create({ name, format, restartable = false }) {
    const { redisUrl } = loadServiceEndpoints();
    const own = restartable ? await privateRedis() : undefined;
    const shared = new URL(redisUrl);
    const connect = async () => {
      if (!own) return new Redis(redisUrl);
      const client = own.client();
      await client.connect();
      return client;
    };
    /** One connection per use: a restartable server may have been restarted since the last. */
    const withClient = perUse(connect, (redis) => redis.disconnect());
    const parse = (item: string) => JSON.parse(item) as EventDocument;
    return {
      block: {
        enable: true,
        address: own ? own.address : `${shared.hostname}:${shared.port}`,
        password: '',
        key: name,
        ...(format ? { format } : {}),
      },
      prepare: async () => own?.start(),
      read: () =>
        withClient(async (redis) => {
          if (format === 'namespace')
            return viewObservation(
              Object.entries(await redis.hgetall(name)).map(([field, value]) => [field, parse(value)]),
            );
          return eventsObservation((await redis.lrange(name, 0, -1)).map(parse));
        }),
      async follow(onArrival) {
        const redis = await connect();
        let open = true;
        let watched = false;
        const loop = (async () => {
          while (open) {
            if (!watched) {
              // Not read outside the watched phases (parsing every event of a throughput phase
              // took a sixth of the benchmark's CPU), only emptied, so the list does not grow.
              await new Promise((resolve) => setTimeout(resolve, 250));
              if (!watched) await redis.del(name).catch(() => {});
              continue;
            }
            const popped = await redis.blpop(name, 0.2).catch(() => null);
            if (!popped) continue;
            onArrival(objectKeyOf(parse(popped[1])));
            // Whatever else arrived meanwhile, in one round trip: one pop each would fall behind.
            for (const element of (await redis.lpop(name, 1000).catch(() => null)) ?? [])
              onArrival(objectKeyOf(parse(element)));
          }
        })();
        return {
          watch(on: boolean) {
            watched = on;
          },
          async close() {
            open = false;
            await loop;
            redis.disconnect();
          },
        };
      },
      ...(own ? { stopServer: own.stop, startServer: own.start } : localServiceControl('redis')),
      async cleanup() {
        if (own) return own.remove();
        await withClient((redis) => redis.del(name, `${name}:sequencers`));
      },
    };
  },
});
