// The Kafka sink: `{"EventName","Key","Records"}` as the value, `<bucket>/<key>`
// as the message key (one object's events stay in one partition, in order),
// `acks` all in-sync replicas by default, a whole batch in one send. An
// idempotent producer keeps retries inside kafkajs from reordering or doubling.
import { brokerMessage, type TargetJob } from '@bucket-events/contracts';
import { type BatchFailures, type ErrorClass, TargetError, type TargetSink } from '@bucket-events/target-kit';
import {
  type Admin,
  Kafka,
  KafkaJSError,
  logLevel,
  Partitioners,
  type Producer,
  type SASLOptions,
} from 'kafkajs';
import { noDelaySocketFactory } from './socket.ts';

export interface KafkaSinkOptions {
  brokers: string[];
  topic: string;
  sasl: { enable: boolean; username: string; password: string; mechanism: 'plain' | 'sha256' | 'sha512' };
  tls: { enable: boolean; skipVerify: boolean };
  acks: -1 | 0 | 1;
}

const MECHANISMS = { plain: 'plain', sha256: 'scram-sha-256', sha512: 'scram-sha-512' } as const;

export class KafkaSink implements TargetSink {
  private producer: Producer | undefined;
  /** Metadata requests for probe(): the producer has no round trip of its own to spare. */
  private admin: Admin | undefined;

  constructor(private readonly options: KafkaSinkOptions) {}

  async connect(): Promise<void> {
    await this.close();
    const o = this.options;
    const kafka = new Kafka({
      clientId: 'bucket-events',
      brokers: o.brokers,
      socketFactory: noDelaySocketFactory,
      connectionTimeout: 5000,
      requestTimeout: 10_000,
      retry: { retries: 2 },
      logLevel: logLevel.NOTHING,
      ssl: o.tls.enable ? { rejectUnauthorized: !o.tls.skipVerify } : undefined,
      sasl: o.sasl.enable
        ? ({
            mechanism: MECHANISMS[o.sasl.mechanism],
            username: o.sasl.username,
            password: o.sasl.password,
          } as SASLOptions)
        : undefined,
    });
    const producer = kafka.producer({
      createPartitioner: Partitioners.DefaultPartitioner,
      idempotent: o.acks === -1,
      maxInFlightRequests: 1,
      allowAutoTopicCreation: true,
    });
    await producer.connect();
    this.producer = producer;
    this.admin = kafka.admin();
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const producer = this.producer;
    if (!producer) throw new TargetError('reconnect', 'not connected');
    await producer.send({
      topic: this.options.topic,
      acks: this.options.acks,
      messages: batch.map((job) => ({
        key: `${job.bucket}/${job.key}`,
        value: JSON.stringify(brokerMessage(job.record, job.bucket, job.key)),
      })),
    });
    return undefined;
  }

  async probe(): Promise<void> {
    const admin = this.admin;
    if (!admin) throw new TargetError('reconnect', 'not connected');
    await admin.connect(); // a no-op once connected
    await admin.describeCluster();
  }

  async close(): Promise<void> {
    await this.admin?.disconnect().catch(() => {});
    this.admin = undefined;
    await this.producer?.disconnect().catch(() => {});
    this.producer = undefined;
  }

  classify(error: unknown): ErrorClass {
    const message = error instanceof Error ? error.message : String(error);
    if (
      /MESSAGE_TOO_LARGE|INVALID_RECORD|CORRUPT_MESSAGE/i.test(
        `${(error as { type?: string }).type ?? ''} ${message}`,
      )
    )
      return 'fatal';
    if (error instanceof KafkaJSError && !error.retriable) return 'reconnect';
    return /Connection|ECONNREFUSED|disconnected|broker/i.test(message) ? 'reconnect' : 'retry';
  }
}
