// Counts a queue's backlog in units of work (events) rather than jobs, where a
// job's name says how many units it carries (e.g. `events:37`).
import type { Redis } from 'ioredis';
import { scriptCommand } from './redis-script.ts';
import { COUNT_UNITS } from './scripts.ts';

export interface QueuedUnits {
  waiting: number;
  active: number;
}

export async function countQueuedUnits(
  redis: Redis,
  options: { prefix: string; queue: string; namePrefix: string },
): Promise<QueuedUnits> {
  const base = `${options.prefix}:${options.queue}:`; // BullMQ's key layout
  const countUnits = scriptCommand(redis, 'bucketEventsCountUnits', 2, COUNT_UNITS);
  const [waiting, active] = (await countUnits(`${base}wait`, `${base}active`, base, options.namePrefix)) as [
    number,
    number,
  ];
  return { waiting, active };
}
