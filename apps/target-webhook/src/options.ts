// The options of the Webhook target: its config.json block (`notify.webhook.<id>`)
// and its MINIO_NOTIFY_WEBHOOK_* variables (MinIO's `endpoint`, `auth_token`,
// `client_cert`, `client_key`). The config loader validates every block with
// this, the README's key table is generated from it, and redaction finds its
// secrets through it.
import {
  commonTargetOptions,
  defineTargetOptions,
  type RequiredProblem,
  requireNonEmpty,
  secret,
} from '@bucket-events/config';
import { z } from 'zod';

const schema = z.strictObject({
  ...commonTargetOptions,
  endpoint: secret(
    z
      .string()
      .default('')
      .describe('URL each event is POSTed to, `http://` or `https://` (may embed user:password). Required.'),
    'url',
  ),
  authToken: secret(
    z
      .string()
      .default('')
      .describe(
        'Sent as `Authorization: Bearer <token>`; a value of two words (`Basic abc…`) is sent as it is. Empty for none.',
      ),
  ),
  clientCert: z
    .string()
    .default('')
    .describe('Path of a PEM client certificate for mutual TLS (with `clientKey`).'),
  clientKey: z.string().default('').describe('Path of the PEM private key of `clientCert`.'),
});

function endpointProblems(endpoint: string): RequiredProblem[] {
  if (endpoint === '') return [];
  try {
    const { protocol } = new URL(endpoint);
    if (protocol === 'http:' || protocol === 'https:') return [];
  } catch {}
  return [['endpoint', 'must be an http:// or https:// URL']];
}

export const options = defineTargetOptions({
  schema,
  envPrefix: 'WEBHOOK',
  required: (options) => [
    ...requireNonEmpty(options, 'endpoint'),
    ...endpointProblems(options.endpoint),
    ...((options.clientCert === '') !== (options.clientKey === '')
      ? [['clientCert', 'clientCert and clientKey must be set together'] as RequiredProblem]
      : []),
  ],
});

export type WebhookOptions = z.output<typeof schema>;
