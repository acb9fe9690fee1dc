// Where a target app puts the events its target rejects: the target's
// dead-letter queue, with the error, the attempts and when (dead-letters.ts
// lists, re-drives and purges them for operators).
import { deadLetterQueueName, type TargetId } from '@bucket-events/contracts';
import { openQueue } from '@bucket-events/queue';
import type { Queue } from 'bullmq';
import type { Logger } from 'pino';
import type { DeliveryTelemetry } from './delivery-telemetry.ts';
import { describeError } from './errors.ts';

export class DeadLetterWriter {
  private readonly queue: Queue;

  constructor(
    private readonly target: { kind: string; id: string; arn: string },
    prefix: string,
    redisUrl: string,
    private readonly telemetry: DeliveryTelemetry,
    private readonly log: Logger,
  ) {
    // A kit target's kind is any string (tests use their own); the queue name needs only its text.
    this.queue = openQueue(deadLetterQueueName(target as TargetId), { prefix, redisUrl });
    this.queue.on('error', () => {});
  }

  /** Stores `job` (an event, or a job that could not be read) as rejected after `attempts` writes. */
  async write(job: unknown, error: unknown, attempts: number): Promise<void> {
    await this.queue.add('dead', {
      job,
      error: describeError(error),
      attempts,
      target: this.target.arn,
      failedAt: new Date().toISOString(),
    });
    this.telemetry.deadLettered(error);
    this.log.warn({ err: describeError(error), attempts }, 'event dead-lettered');
  }

  close(): Promise<void> {
    return this.queue.close();
  }
}
