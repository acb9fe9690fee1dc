// How a target says what went wrong. A sink only classifies; the kit decides
// what each class means: retry in place with backoff, slow down, reconnect
// first, or dead-letter the event (fatal: the target will never accept it).
export type ErrorClass = 'retry' | 'throttle' | 'reconnect' | 'fatal';

export class TargetError extends Error {
  constructor(
    readonly classification: ErrorClass,
    message: string,
    options?: { cause?: unknown },
  ) {
    super(message, options);
    this.name = 'TargetError';
  }
}

export const retryable = (message: string, cause?: unknown) => new TargetError('retry', message, { cause });
export const fatal = (message: string, cause?: unknown) => new TargetError('fatal', message, { cause });
export const throttled = (message: string, cause?: unknown) =>
  new TargetError('throttle', message, { cause });
export const disconnected = (message: string, cause?: unknown) =>
  new TargetError('reconnect', message, { cause });

export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  return String(error);
}
