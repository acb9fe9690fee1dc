// Output, as mc prints it: one line per result, or one JSON document per line
// with --json; errors as `bucket-events: <ERROR> …` on stderr with a non-zero exit.
import { S3ServiceException } from '@aws-sdk/client-s3';

/** The command's name, as its messages start. */
export const PROGRAM_NAME = 'bucket-events';

export interface Output {
  json: boolean;
  /** One result: `text` for people, `value` for --json. */
  print(text: string, value: object): void;
}

export function createOutput(
  json: boolean,
  write: (line: string) => void = (line) => process.stdout.write(`${line}\n`),
): Output {
  return {
    json,
    print(text, value) {
      write(json ? JSON.stringify({ status: 'success', ...value }) : text);
    },
  };
}

/** The one line an error deserves: the S3 code and message when the server sent them. */
export function describeFailure(error: unknown): string {
  if (error instanceof S3ServiceException) return `${error.name}: ${error.message}`;
  if (error instanceof Error) {
    const cause = (error as { cause?: { code?: string } }).cause;
    if (cause?.code === 'ECONNREFUSED')
      return `${error.message} (connection refused: is the server running?)`;
    return error.message;
  }
  return String(error);
}

/** Human sizes as mc shows them: 0B, 1.5KiB, 20MiB. */
export function humanSize(bytes: number): string {
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit += 1;
  }
  const text = unit === 0 ? String(value) : value.toFixed(value < 10 ? 1 : 0).replace(/\.0$/, '');
  return `${text}${units[unit]}`;
}

/** `[2026-11-25 15:04:05 UTC]` */
export function stamp(date: Date | undefined): string {
  return `[${(date ?? new Date(0)).toISOString().slice(0, 19).replace('T', ' ')} UTC]`;
}
