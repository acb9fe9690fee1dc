// The MySQL target process: every enabled `mysql` target of the configuration.
import { runTargetApp } from '@bucket-events/target-kit';
import { targetApp } from './index.ts';

await runTargetApp(targetApp);
