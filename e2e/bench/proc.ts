// What the benchmarks read of a process from /proc (Linux), and a pause.
import { readFileSync } from 'node:fs';

export const pause = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** The process's peak resident memory (VmHWM), in MiB. */
export function peakRssMiB(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    const status = readFileSync(`/proc/${pid}/status`, 'utf8');
    return Math.round(Number(/VmHWM:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024);
  } catch {
    return Number.NaN;
  }
}

/** CPU time (user + system) the process has used so far, in seconds (Linux's 100 ticks a second). */
export function cpuSeconds(pid: number | undefined): number {
  if (!pid) return Number.NaN;
  try {
    // Fields after the command's closing parenthesis; utime and stime are the 12th and 13th.
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]?.split(' ') ?? [];
    return (Number(fields[11]) + Number(fields[12])) / 100;
  } catch {
    return Number.NaN;
  }
}
