// Public surface of the Webhook target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { WebhookSink } from './sink.ts';

export { options, type WebhookOptions } from './options.ts';
export { authorizationHeader, WebhookSink, type WebhookSinkOptions } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'webhook',
  options,
  createSink: (target) => new WebhookSink(target.options),
};
