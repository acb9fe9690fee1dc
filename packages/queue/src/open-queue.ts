// A BullMQ Queue handle for reading or adding to one queue, on one server or on
// a Redis Cluster (see redis-connection.ts): closing it closes its connection.
import { Queue } from 'bullmq';
import { bullConnection } from './redis-connection.ts';

export function openQueue(name: string, options: { prefix: string; redisUrl: string }): Queue {
  const { connection, release } = bullConnection(options.redisUrl, { maxRetriesPerRequest: null });
  const queue = new Queue(name, { prefix: options.prefix, connection });
  const close = queue.close.bind(queue);
  queue.close = async () => {
    try {
      await close();
    } finally {
      release();
    }
  };
  return queue;
}
