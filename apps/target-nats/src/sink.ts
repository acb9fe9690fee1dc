// The NATS sink: `{"EventName","Key","Records"}` to the subject. Core NATS:
// publish the batch, then flush — the server has the messages once the flush's
// PONG returns. JetStream (`jetstream: true`): publish with acknowledgement and a
// `Nats-Msg-Id` per event, so a redelivered event is de-duplicated by the stream.
import { brokerMessage, type TargetJob } from '@bucket-events/contracts';
import { type BatchFailures, type ErrorClass, TargetError, type TargetSink } from '@bucket-events/target-kit';
import { type ConnectionOptions, connect, headers, type JetStreamClient, type NatsConnection } from 'nats';

export interface NatsSinkOptions {
  address: string;
  subject: string;
  username: string;
  password: string;
  token: string;
  secure: boolean;
  tlsSkipVerify: boolean;
  pingInterval: number;
  jetstream: boolean;
}

const encoder = new TextEncoder();

/** A stable id per event and target, for JetStream de-duplication. */
export function natsMessageId(job: TargetJob): string {
  return `${job.arn}/${job.sequencer}`;
}

export class NatsSink implements TargetSink {
  private connection: NatsConnection | undefined;
  private jetstream: JetStreamClient | undefined;

  constructor(private readonly options: NatsSinkOptions) {}

  async connect(): Promise<void> {
    await this.connection?.close().catch(() => {});
    const o = this.options;
    const settings: ConnectionOptions = {
      servers: o.address,
      name: 'BucketEvents Notification',
      timeout: 5000,
      reconnect: false, // the kit reconnects, with backoff
    };
    if (o.username) Object.assign(settings, { user: o.username, pass: o.password });
    if (o.token) settings.token = o.token;
    // tlsSkipVerify is accepted but not applied yet: certificates are always verified.
    if (o.secure) settings.tls = {};
    if (o.pingInterval > 0) settings.pingInterval = o.pingInterval * 1000;
    this.connection = await connect(settings);
    this.jetstream = o.jetstream ? this.connection.jetstream() : undefined;
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const connection = this.connection;
    if (!connection || connection.isClosed()) throw new TargetError('reconnect', 'not connected');
    const payloads = batch.map((job) =>
      encoder.encode(JSON.stringify(brokerMessage(job.record, job.bucket, job.key))),
    );
    if (this.jetstream) {
      // In order, each acknowledged before the next: per-key order holds inside the batch too.
      for (const [index, payload] of payloads.entries()) {
        const h = headers();
        h.set('Nats-Msg-Id', natsMessageId(batch[index] as TargetJob));
        await this.jetstream.publish(this.options.subject, payload, {
          headers: h,
          msgID: natsMessageId(batch[index] as TargetJob),
        });
      }
      return undefined;
    }
    for (const payload of payloads) connection.publish(this.options.subject, payload);
    await connection.flush();
    return undefined;
  }

  async probe(): Promise<void> {
    const connection = this.connection;
    if (!connection || connection.isClosed()) throw new TargetError('reconnect', 'not connected');
    await connection.flush(); // a PING answered by the server's PONG
  }

  async close(): Promise<void> {
    await this.connection?.drain().catch(() => {});
    this.connection = undefined;
  }

  classify(error: unknown): ErrorClass {
    const code = (error as { code?: string }).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    if (/CONNECTION_CLOSED|CONNECTION_REFUSED|DISCONNECT|TIMEOUT|ECONNREFUSED/i.test(`${code} ${message}`))
      return 'reconnect';
    if (/503|no responders|no response from stream/i.test(message)) return 'retry'; // stream missing or JetStream unavailable
    if (/MAX_PAYLOAD|maximum payload/i.test(`${code} ${message}`)) return 'fatal';
    return 'retry';
  }
}
