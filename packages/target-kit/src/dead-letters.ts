// The dead-letter queue of a target, for operators: list what was rejected,
// send it back to the target's queue (after the cause was fixed), or purge it.
import {
  deadLetterQueueName,
  parseTargetJob,
  type TargetId,
  targetJobId,
  targetQueueName,
} from '@bucket-events/contracts';
import { Queue } from 'bullmq';

export interface DeadLetter {
  id: string;
  error: string;
  attempts: number;
  failedAt: string;
  job: unknown;
}

export interface DeadLetterScope {
  target: TargetId;
  prefix: string;
  redisUrl: string;
}

function open(scope: DeadLetterScope) {
  const connection = { url: scope.redisUrl, maxRetriesPerRequest: null };
  return {
    dead: new Queue(deadLetterQueueName(scope.target), { prefix: scope.prefix, connection }),
    live: new Queue(targetQueueName(scope.target), { prefix: scope.prefix, connection }),
  };
}

export async function listDeadLetters(scope: DeadLetterScope): Promise<DeadLetter[]> {
  const { dead, live } = open(scope);
  try {
    const jobs = await dead.getWaiting(0, -1);
    return jobs.map((job) => ({ id: job.id as string, ...(job.data as Omit<DeadLetter, 'id'>) }));
  } finally {
    await Promise.all([dead.close(), live.close()]);
  }
}

/**
 * Puts dead letters back on the target's queue, oldest first, under a new job id
 * (the original id is still remembered for de-duplication). Letters that do not
 * hold a valid target job stay where they are. Returns how many went back.
 */
export async function redriveDeadLetters(scope: DeadLetterScope): Promise<number> {
  const { dead, live } = open(scope);
  try {
    let moved = 0;
    for (const letter of (await dead.getWaiting(0, -1)).reverse()) {
      const parsed = (() => {
        try {
          return parseTargetJob((letter.data as { job: unknown }).job);
        } catch {
          return undefined;
        }
      })();
      if (!parsed) continue;
      await live.add(parsed.record.eventName, parsed, {
        jobId: `${targetJobId(parsed.sequencer)}-redrive-${Date.now()}`,
        removeOnComplete: { age: 3600 },
        removeOnFail: false,
      });
      await letter.remove();
      moved += 1;
    }
    return moved;
  } finally {
    await Promise.all([dead.close(), live.close()]);
  }
}

export async function purgeDeadLetters(scope: DeadLetterScope): Promise<number> {
  const { dead, live } = open(scope);
  try {
    const count = await dead.getWaitingCount();
    await dead.drain();
    return count;
  } finally {
    await Promise.all([dead.close(), live.close()]);
  }
}
