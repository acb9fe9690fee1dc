#!/usr/bin/env node
// The CLI runs from its TypeScript sources through tsx, so the workspace's bin works without a build.
import { register } from 'tsx/esm/api';

// The AWS SDK warns on every run under Node 20 that later versions will need Node 22; a CLI's
// user cannot act on that, and it would bury the command's own output.
process.env.AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED ??= 'true';
register();
await import('../src/main.ts');
