// Public surface of the MQTT target (for tests of other packages), and its app:
// the kind and how a configured target becomes a sink, run as its own process
// (main.ts) or inside the standalone process.
import type { OptionsOf } from '@bucket-events/config';
import type { TargetAppDefinition } from '@bucket-events/target-kit';
import { options } from './options.ts';
import { MqttSink } from './sink.ts';

export { type MqttOptions, options } from './options.ts';
export { brokerUrl, MqttSink, type MqttSinkOptions } from './sink.ts';

export const targetApp: TargetAppDefinition<OptionsOf<typeof options>> = {
  kind: 'mqtt',
  options,
  createSink: (target) => new MqttSink(target.options),
};
