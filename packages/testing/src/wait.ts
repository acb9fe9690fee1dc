// Waiting on events in tests, not on sleeps: poll a probe until it yields a
// value, or fail after a bound that says what was awaited. And reading one
// sample out of a Prometheus scrape, as the operability tests do.

/** Polls `probe` every `intervalMs` until it returns something other than undefined. */
export async function eventually<T>(
  probe: () => Promise<T | undefined>,
  {
    timeoutMs = 15_000,
    intervalMs = 50,
    what = 'condition',
  }: { timeoutMs?: number; intervalMs?: number; what?: string } = {},
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`${what} not met within ${timeoutMs / 1000} s`);
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
  }
}

/** The value of one series (`name{labels}` exactly as exposed) in a Prometheus text scrape. */
export function metricSample(scrape: string, series: string): number | undefined {
  const line = scrape.split('\n').find((l) => l.startsWith(`${series} `));
  return line === undefined ? undefined : Number(line.slice(series.length + 1));
}
