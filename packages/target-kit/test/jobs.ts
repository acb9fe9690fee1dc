// Target jobs as the router makes them, for kit tests.
import { formatSequencer, type TargetJob, targetJobId } from '@bucket-events/contracts';
import type { Queue } from 'bullmq';

let counter = 0;

export function targetJob(key: string, arn = 'arn:minio:sqs:us-east-1:1:test'): TargetJob {
  counter += 1;
  const sequencer = formatSequencer(counter);
  return {
    schemaVersion: 1,
    mutationId: String(counter),
    sequencer,
    bucket: 'b',
    key,
    arn,
    record: {
      eventVersion: '2.0',
      eventSource: 'aws:s3',
      awsRegion: 'us-east-1',
      eventTime: new Date().toISOString(),
      eventName: 's3:ObjectCreated:Put',
      userIdentity: { principalId: 'p' },
      requestParameters: { principalId: 'p', region: 'us-east-1', sourceIPAddress: '127.0.0.1' },
      responseElements: {
        'x-amz-request-id': 'r',
        'x-minio-origin-endpoint': 'e',
        'x-minio-deployment-id': 'd',
      },
      s3: {
        s3SchemaVersion: '1.0',
        configurationId: 'Config',
        bucket: { name: 'b', ownerIdentity: { principalId: 'p' }, arn: 'arn:aws:s3:::b' },
        object: { key, sequencer },
      },
      source: { host: '127.0.0.1', port: '1', userAgent: 'test' },
    },
  };
}

export async function enqueue(queue: Queue, jobs: TargetJob[]) {
  await queue.addBulk(
    jobs.map((data) => ({
      name: 'e',
      data,
      opts: { jobId: targetJobId(data.sequencer), removeOnComplete: { age: 600 } },
    })),
  );
}

/** Asserts that, per key, sequencers only increase. Returns the first violation, if any. */
export function orderViolation(jobs: TargetJob[]): string | undefined {
  const last = new Map<string, string>();
  for (const job of jobs) {
    const previous = last.get(job.key);
    if (previous !== undefined && job.sequencer <= previous)
      return `${job.key}: ${job.sequencer} after ${previous}`;
    last.set(job.key, job.sequencer);
  }
  return undefined;
}
