// The standalone process loads a kind's app only when needed: every kind has a
// loader, and each loads that kind's own app (a sink factory of its kind).
import { TARGET_KINDS } from '@bucket-events/contracts';
import { describe, expect, it } from 'vitest';
import { TARGET_APPS } from './apps.ts';
import { TARGET_OPTIONS } from './registry.ts';

describe('the target apps the standalone process can run', () => {
  it.each(TARGET_KINDS)('%s loads its own app', async (kind) => {
    const app = await TARGET_APPS[kind]();
    expect(app.kind).toBe(kind);
    expect(typeof app.createSink).toBe('function');
    // The registry's two halves name the same folder: the options validated are the app's own.
    expect(app.options).toBe(TARGET_OPTIONS[kind]);
  });
});
