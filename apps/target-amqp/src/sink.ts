// The AMQP (RabbitMQ) sink. Unlike MinIO, which opens a channel and re-declares
// the exchange for every event, it keeps one connection and one confirm channel,
// declares the exchange once per connection, and publishes a whole batch before
// waiting for the broker's confirms: an event counts as delivered only once the
// broker acknowledged it. Each message carries `{"EventName","EventType","Key",
// "Records"}`, the headers `minio-bucket` and `minio-event`, and a message id
// (`<arn>/<sequencer>`) that lets consumers drop redeliveries.
import { brokerMessage, type TargetJob } from '@bucket-events/contracts';
import { type BatchFailures, type ErrorClass, TargetError, type TargetSink } from '@bucket-events/target-kit';
import * as amqp from 'amqplib';

export interface AmqpSinkOptions {
  url: string;
  exchange: string;
  routingKey: string;
  exchangeType: string;
  mandatory: boolean;
  immediate: boolean;
  durable: boolean;
  internal: boolean;
  noWait: boolean;
  autoDeleted: boolean;
  /** 1 = transient, 2 = persistent; 0 = persistent. */
  deliveryMode: 0 | 1 | 2;
}

/** A stable id per event and target: a consumer that saw it already can drop the message. */
export function amqpMessageId(job: TargetJob): string {
  return `${job.arn}/${job.sequencer}`;
}

const CONNECTION_ERRORS =
  /ECONNREFUSED|ECONNRESET|ETIMEDOUT|EPIPE|EHOSTUNREACH|ENOTFOUND|closed|ended|CONNECTION_FORCED|not connected|socket/i;

interface Session {
  connection: amqp.ChannelModel;
  channel: amqp.ConfirmChannel;
  /** Set once the connection or channel closed; the next write asks the kit to reconnect. */
  broken: Error | undefined;
  /** Message ids the broker returned as unroutable (mandatory publishes). */
  returned: Set<string>;
}

export class AmqpSink implements TargetSink {
  private session: Session | undefined;

  constructor(private readonly options: AmqpSinkOptions) {}

  async connect(): Promise<void> {
    await this.close();
    const connection = await amqp.connect(this.options.url, {
      timeout: 5000,
      // amqplib leaves Nagle's algorithm on: a publish written while earlier frames still wait
      // for their ACK could sit in the kernel until the broker's delayed ACK.
      noDelay: true,
      clientProperties: { connection_name: 'BucketEvents Notification' },
    });
    const session: Session = {
      connection,
      channel: undefined as unknown as amqp.ConfirmChannel,
      broken: undefined,
      returned: new Set(),
    };
    const breakWith = (error: unknown) => {
      session.broken ??= error instanceof Error ? error : new Error('AMQP connection closed');
    };
    connection.on('error', breakWith);
    connection.on('close', breakWith);
    try {
      const channel = await connection.createConfirmChannel();
      channel.on('error', breakWith);
      channel.on('close', () => breakWith(new Error('AMQP channel closed')));
      channel.on('return', (message: amqp.ConsumeMessage) => {
        const id = message.properties.messageId;
        if (typeof id === 'string') session.returned.add(id);
      });
      session.channel = channel;
      const o = this.options;
      // The default exchange ("") cannot be declared; any other is declared once, here.
      if (o.exchange !== '') {
        await channel.assertExchange(o.exchange, o.exchangeType || 'fanout', {
          durable: o.durable,
          internal: o.internal,
          autoDelete: o.autoDeleted,
        });
      }
    } catch (error) {
      await connection.close().catch(() => {});
      throw error;
    }
    this.session = session;
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const session = this.session;
    if (!session || session.broken)
      throw new TargetError('reconnect', session?.broken?.message ?? 'not connected');
    const o = this.options;
    const failures: BatchFailures = new Map();
    const ids = batch.map(amqpMessageId);
    // Publish everything, then wait: one confirm round trip per batch, not per event.
    const confirmations = batch.map(
      (job, index) =>
        new Promise<void>((resolve) => {
          const body = Buffer.from(JSON.stringify(brokerMessage(job.record, job.bucket, job.key)));
          session.channel.publish(
            o.exchange,
            o.routingKey,
            body,
            {
              contentType: 'application/json',
              deliveryMode: o.deliveryMode === 1 ? 1 : 2,
              mandatory: o.mandatory,
              messageId: ids[index],
              timestamp: Math.floor(Date.now() / 1000),
              headers: { 'minio-bucket': job.bucket, 'minio-event': job.record.eventName },
            },
            (error: unknown) => {
              if (error)
                failures.set(index, new TargetError('retry', 'the broker refused the message (nack)'));
              resolve();
            },
          );
        }),
    );
    // Every callback fires: with the broker's ack or nack, or with an error when the channel closes
    // first. A broker that goes silent is caught by the kit's write timeout, whose reconnect closes
    // this session (connect() closes the old one) and so settles these callbacks.
    await Promise.all(confirmations);
    // Events confirmed before the connection dropped are sent again: consumers de-duplicate by message id.
    // (Closed while we waited: the narrowing above does not see the event handlers.)
    const broken = session.broken as Error | undefined;
    if (broken) throw new TargetError('reconnect', broken.message);
    for (const [index, id] of ids.entries()) {
      if (session.returned.delete(id)) {
        failures.set(
          index,
          new TargetError('retry', `unroutable: no queue bound to exchange "${o.exchange}"`),
        );
      }
    }
    return failures.size > 0 ? failures : undefined;
  }

  async probe(): Promise<void> {
    const session = this.session;
    if (!session || session.broken)
      throw new TargetError('reconnect', session?.broken?.message ?? 'not connected');
    // A passive declare is a round trip on the channel; the default exchange cannot be declared,
    // and a closed socket already marked the session broken.
    if (this.options.exchange !== '') await session.channel.checkExchange(this.options.exchange);
  }

  async close(): Promise<void> {
    const session = this.session;
    this.session = undefined;
    if (!session) return;
    await session.channel?.close().catch(() => {});
    await session.connection.close().catch(() => {});
  }

  classify(error: unknown): ErrorClass {
    const message = error instanceof Error ? error.message : String(error);
    const code = String((error as { code?: unknown }).code ?? '');
    if (CONNECTION_ERRORS.test(`${code} ${message}`)) return 'reconnect';
    // 403 ACCESS_REFUSED, 404 NOT_FOUND (exchange deleted), 406 PRECONDITION_FAILED
    // (exchange exists with other settings) close the channel: start over.
    if (/\b(403|404|406)\b/.test(`${code} ${message}`)) return 'reconnect';
    return 'retry';
  }
}
