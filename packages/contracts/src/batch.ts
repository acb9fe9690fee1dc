// Jobs on the `mutations` and target queues carry either one item (as first
// published, or re-driven) or a batch of them; a batch says so by its version.
export function isBatchPayload(payload: unknown): payload is { batchVersion: unknown } {
  return typeof payload === 'object' && payload !== null && 'batchVersion' in payload;
}
