// The options of the MQTT target: its config.json block (`notify.mqtt.<id>`) and
// its MINIO_NOTIFY_MQTT_* variables (MinIO's `broker`, `topic`, `qos`,
// `username`, `password`, `keep_alive_interval`, `reconnect_interval`). The
// config loader validates every block with this, the README's key table is
// generated from it, and redaction finds its secrets through it.
import {
  commonTargetOptions,
  defineTargetOptions,
  type RequiredProblem,
  requireNonEmpty,
  secret,
} from '@bucket-events/config';
import { z } from 'zod';
import { parseDuration } from './duration.ts';

/** A Go duration as MinIO takes it: `"10s"`, `"1m30s"` (env and KV), or nanoseconds (legacy config.json). */
const duration = z.union([z.string(), z.number().nonnegative()]);

const schema = z.strictObject({
  ...commonTargetOptions,
  broker: secret(
    z
      .string()
      .default('')
      .describe(
        'Broker URL: `tcp://host:1883` (also `mqtt://`), `ssl://`, `tls://`, `tcps://` or `mqtts://` for TLS, `ws://`, `wss://`. Required.',
      ),
    'url',
  ),
  topic: z.string().default('').describe('Topic every event is published to. Required.'),
  qos: z
    .union([z.literal(0), z.literal(1), z.literal(2)])
    .default(0)
    .describe(
      'QoS of each publish, as MinIO: 0 (counted delivered once written to the connection), 1 (once the broker PUBACKs), 2 (once it PUBCOMPs).',
    ),
  username: z.string().default('').describe('User name (optional).'),
  password: secret(z.string().default('').describe('Password.')),
  keepAliveInterval: duration
    .default('')
    .describe('Keep-alive ping interval: a duration (`10s`) or nanoseconds; empty or 0 = 10 s.'),
  reconnectInterval: duration
    .default('')
    .describe(
      'Accepted for compatibility: the kit reconnects a lost broker with its own backoff (`TARGET_RETRY_MAX_MS`).',
    ),
});

const BROKER_SCHEMES = ['tcp:', 'mqtt:', 'ssl:', 'tls:', 'tcps:', 'mqtts:', 'ws:', 'wss:'];

function brokerProblems(broker: string): RequiredProblem[] {
  if (broker === '') return [];
  try {
    if (BROKER_SCHEMES.includes(new URL(broker).protocol)) return [];
  } catch {}
  return [['broker', `must be a URL with one of the schemes ${BROKER_SCHEMES.join(' ')}`]];
}

function durationProblems(field: string, value: string | number): RequiredProblem[] {
  return parseDuration(value) === undefined
    ? [[field, `"${value}" is not a duration such as 10s or 1m30s`]]
    : [];
}

export const options = defineTargetOptions({
  schema,
  envPrefix: 'MQTT',
  required: (options) => [
    ...requireNonEmpty(options, 'broker', 'topic'),
    ...brokerProblems(options.broker),
    ...durationProblems('keepAliveInterval', options.keepAliveInterval),
    ...durationProblems('reconnectInterval', options.reconnectInterval),
  ],
});

export type MqttOptions = z.output<typeof schema>;
