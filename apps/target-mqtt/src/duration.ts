// Go's duration syntax as MinIO's MQTT keys take it (`10s`, `1m30s`, `500ms`),
// or a number of nanoseconds (what a Go time.Duration is in the legacy
// config.json). Returns milliseconds, 0 for "not set", undefined if invalid.
const UNIT_MS: Record<string, number> = {
  ns: 1e-6,
  us: 1e-3,
  µs: 1e-3,
  ms: 1,
  s: 1000,
  m: 60_000,
  h: 3_600_000,
};

export function parseDuration(value: string | number): number | undefined {
  if (typeof value === 'number') return value / 1e6;
  const text = value.trim();
  if (text === '' || text === '0') return 0;
  const parts = [...text.matchAll(/(\d+(?:\.\d+)?)(ns|us|µs|ms|s|m|h)/g)];
  if (parts.length === 0 || parts.map((part) => part[0]).join('') !== text) return undefined;
  return parts.reduce(
    (total, [, amount, unit]) => total + Number(amount) * (UNIT_MS[unit as string] as number),
    0,
  );
}
