// The MQTT sink: each event published to the topic as MinIO's MQTT target sends
// it — `{"EventName","Key","Records"}`, not retained — at the configured QoS, and
// counted delivered once the broker confirmed it (PUBACK at QoS 1, PUBCOMP at
// QoS 2; at QoS 0, once written to the connection, which is all QoS 0 promises).
// A batch holds at most one event per key (the kit's lanes), so its publishes go
// out together and per-key order still holds. The client does not reconnect by
// itself: the kit does, with its backoff, and then asks connect() again.
import { brokerMessage, type TargetJob } from '@bucket-events/contracts';
import { type BatchFailures, type ErrorClass, TargetError, type TargetSink } from '@bucket-events/target-kit';
import mqtt, { type MqttClient } from 'mqtt';
import { parseDuration } from './duration.ts';

export interface MqttSinkOptions {
  broker: string;
  topic: string;
  qos: 0 | 1 | 2;
  username: string;
  password: string;
  keepAliveInterval: string | number;
}

/** MinIO's keep-alive when none is set. */
const DEFAULT_KEEP_ALIVE_SECONDS = 10;

/** MinIO's broker schemes (Paho's) as mqtt.js names them. */
export function brokerUrl(broker: string): string {
  const url = new URL(broker);
  if (url.protocol === 'tcp:') return broker.replace(/^tcp:/, 'mqtt:');
  if (['ssl:', 'tls:', 'tcps:'].includes(url.protocol)) return broker.replace(/^[a-z]+:/, 'mqtts:');
  return broker;
}

const CONNECTION_ERRORS =
  /ECONNREFUSED|ECONNRESET|EPIPE|ETIMEDOUT|EHOSTUNREACH|ENOTFOUND|connection closed|client disconnecting|not connected|connack timeout/i;

export class MqttSink implements TargetSink {
  private client: MqttClient | undefined;

  constructor(private readonly options: MqttSinkOptions) {}

  async connect(): Promise<void> {
    this.client?.end(true);
    const o = this.options;
    const keepAliveMs = parseDuration(o.keepAliveInterval) ?? 0;
    this.client = await mqtt.connectAsync(
      brokerUrl(o.broker),
      {
        // As MinIO's: a fresh id per connection (hex of the time in ns), a clean session.
        clientId: (process.hrtime.bigint() + BigInt(Date.now()) * 1_000_000n).toString(16),
        clean: true,
        protocolVersion: 4,
        keepalive: keepAliveMs > 0 ? Math.max(1, Math.round(keepAliveMs / 1000)) : DEFAULT_KEEP_ALIVE_SECONDS,
        reconnectPeriod: 0, // the kit reconnects, with backoff
        connectTimeout: 5000,
        ...(o.username ? { username: o.username, password: o.password } : {}),
      },
      false,
    );
    this.client.on('error', () => {}); // surfaced through write() and probe()
  }

  async write(batch: readonly TargetJob[]): Promise<BatchFailures | undefined> {
    const client = this.client;
    if (!client?.connected) throw new TargetError('reconnect', 'not connected to the broker');
    // A connection lost mid-batch fails the batch, even if the client would keep its packets.
    let onClose: (() => void) | undefined;
    const closed = new Promise<never>((_, reject) => {
      onClose = () => reject(new TargetError('reconnect', 'connection closed by the broker'));
      client.once('close', onClose);
    });
    try {
      await Promise.race([
        closed,
        Promise.all(
          batch.map((job) =>
            client.publishAsync(
              this.options.topic,
              JSON.stringify(brokerMessage(job.record, job.bucket, job.key)),
              {
                qos: this.options.qos,
                retain: false,
              },
            ),
          ),
        ),
      ]);
    } finally {
      if (onClose) client.off('close', onClose);
      closed.catch(() => {});
    }
    return undefined;
  }

  async probe(): Promise<void> {
    if (!this.client?.connected) throw new TargetError('reconnect', 'not connected to the broker');
  }

  async close(): Promise<void> {
    await this.client?.endAsync().catch(() => {});
    this.client = undefined;
  }

  classify(error: unknown): ErrorClass {
    if (error instanceof TargetError) return error.classification;
    const code = (error as { code?: string | number }).code ?? '';
    const message = error instanceof Error ? error.message : String(error);
    return CONNECTION_ERRORS.test(`${code} ${message}`) ? 'reconnect' : 'retry';
  }
}
