// The target's connection as the kit sees it: connected or not, failing or
// not, and when it last answered. Connects with backoff (several writers share
// one attempt), and while the target is idle asks the sink's probe() so a
// server that went away shows as down before the next event finds out.
import { withTimeout } from '@bucket-events/telemetry';
import type { Logger } from 'pino';
import { describeError } from './errors.ts';
import { backoffDelay } from './lanes.ts';
import type { TargetSink } from './sink.ts';
import type { Wakeups } from './wakeups.ts';

export interface ConnectionOptions {
  sink: TargetSink;
  log: Logger;
  wakeups: Wakeups;
  retryInitialMs: number;
  retryMaxMs: number;
  probeIntervalMs: number;
  /** Called with every failure to connect, write or probe (the last error the status shows). */
  noteError(error: unknown): void;
}

export class TargetConnection {
  connected = false;
  /** The last write or probe failed (cleared by the next one that succeeds). */
  failing = false;
  stopping = false;
  private consecutiveFailures = 0;
  private lastAnsweredAt = 0;
  private connecting: Promise<void> | undefined;
  private probing = false;
  private probeTimer: NodeJS.Timeout | undefined;

  constructor(private readonly options: ConnectionOptions) {}

  /** Connected, answering and not stopping: the one readiness rule. */
  ready(): boolean {
    return this.connected && !this.failing && !this.stopping;
  }

  /** Connects unless connected (or stopping), backing off while the target stays away. */
  ensureConnected(): Promise<void> {
    if (this.connected || this.stopping) return Promise.resolve();
    this.connecting ??= this.connect().finally(() => {
      this.connecting = undefined;
    });
    return this.connecting;
  }

  private async connect(): Promise<void> {
    const { sink, log, wakeups } = this.options;
    while (!this.connected && !this.stopping) {
      try {
        await sink.connect();
        this.connected = true;
        this.answered();
        log.info('connected to target');
      } catch (error) {
        const delay = this.failed(error);
        if (this.shouldLogFailure())
          log.warn({ err: describeError(error), retryInMs: delay }, 'cannot connect to target');
        await wakeups.sleep(delay);
      }
    }
  }

  /**
   * The target answered (a connect or a probe succeeded). Only a write that succeeded (`wrote`)
   * ends the run of failures that sets the backoff: a target that accepts connections but fails
   * every write keeps backing off longer.
   */
  answered({ wrote = false }: { wrote?: boolean } = {}): void {
    this.failing = false;
    this.lastAnsweredAt = Date.now();
    if (wrote) this.consecutiveFailures = 0;
  }

  /** A failure of the whole target: how long to leave it alone before the next attempt. */
  failed(error: unknown, options: { reconnect?: boolean } = {}): number {
    this.failing = true;
    this.consecutiveFailures += 1;
    this.options.noteError(error);
    if (options.reconnect) this.connected = false;
    return backoffDelay(this.consecutiveFailures, this.options.retryInitialMs, this.options.retryMaxMs);
  }

  /** Whether a failure is worth a log line: the first, and every tenth after it. */
  shouldLogFailure(): boolean {
    return this.consecutiveFailures === 1 || this.consecutiveFailures % 10 === 0;
  }

  /** Asks an idle target whether it still answers, every half probe interval; stop() ends it. */
  startProbing(): void {
    const { sink, log, wakeups, probeIntervalMs } = this.options;
    this.probeTimer = setInterval(
      async () => {
        if (!sink.probe || this.probing || !this.connected || this.stopping) return;
        if (Date.now() - this.lastAnsweredAt < probeIntervalMs) return;
        this.probing = true;
        try {
          await withTimeout(sink.probe(), probeIntervalMs, 'target did not answer the probe');
          this.answered();
        } catch (error) {
          if (!this.failing) log.warn({ err: describeError(error) }, 'target does not answer; reconnecting');
          this.failing = true;
          this.options.noteError(error);
          // Reconnect through the writers' loop: it backs off while the target stays away.
          this.connected = false;
          wakeups.signal();
        } finally {
          this.probing = false;
        }
      },
      Math.max(100, Math.floor(probeIntervalMs / 2)),
    );
    this.probeTimer.unref();
  }

  stopProbing(): void {
    clearInterval(this.probeTimer);
  }
}
