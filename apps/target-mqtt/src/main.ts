// The MQTT target process: every enabled `mqtt` target of the configuration.
import { runTargetApp } from '@bucket-events/target-kit';
import { targetApp } from './index.ts';

await runTargetApp(targetApp);
