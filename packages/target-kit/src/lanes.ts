// Per-key lanes: events of one object key are handed out strictly one at a
// time and in arrival order; a key whose head is waiting to be retried holds
// back only its own later events. Pure bookkeeping with an injected clock, so
// the ordering rules are unit-tested without timers.

export interface LaneItem<T> {
  key: string;
  value: T;
  /** Failed attempts so far. */
  attempts: number;
  /** When it entered its lane (ms), for the oldest-pending gauge. */
  enqueuedAt: number;
  /** Write alone (set when a whole batch failed fatally, to find the culprit). */
  solo: boolean;
}

interface Lane<T> {
  items: LaneItem<T>[];
  busy: boolean;
  notBefore: number;
}

export class Lanes<T> {
  private readonly lanes = new Map<string, Lane<T>>();
  /** Keys whose head can be taken now, in the order they became ready. */
  private ready: string[] = [];
  /** Keys whose head waits for a retry time. */
  private readonly delayed = new Set<string>();
  private count = 0;

  get size(): number {
    return this.count;
  }

  add(key: string, value: T, now: number): LaneItem<T> {
    const item: LaneItem<T> = { key, value, attempts: 0, enqueuedAt: now, solo: false };
    const lane = this.lanes.get(key);
    this.count += 1;
    if (lane) {
      lane.items.push(item);
      return item;
    }
    this.lanes.set(key, { items: [item], busy: false, notBefore: 0 });
    this.ready.push(key);
    return item;
  }

  /** Up to `max` lane heads that are free and due, marked busy; a solo item is taken alone. */
  take(max: number, now: number): LaneItem<T>[] {
    for (const key of this.delayed) {
      const lane = this.lanes.get(key) as Lane<T>;
      if (lane.notBefore <= now) {
        this.delayed.delete(key);
        this.ready.push(key);
      }
    }
    const taken: LaneItem<T>[] = [];
    const skipped: string[] = [];
    while (taken.length < max && this.ready.length > 0) {
      const key = this.ready.shift() as string;
      const lane = this.lanes.get(key) as Lane<T>;
      const head = lane.items[0] as LaneItem<T>;
      if (head.solo && taken.length > 0) {
        skipped.push(key);
        continue;
      }
      lane.busy = true;
      taken.push(head);
      if (head.solo) break;
    }
    this.ready = [...skipped, ...this.ready];
    return taken;
  }

  /** The head was delivered or dead-lettered: the lane moves on. */
  done(item: LaneItem<T>): void {
    const lane = this.lanes.get(item.key) as Lane<T>;
    lane.items.shift();
    lane.busy = false;
    this.count -= 1;
    if (lane.items.length === 0) this.lanes.delete(item.key);
    else this.ready.push(item.key);
  }

  /** The head failed and stays at the head of its lane until `now + delayMs`. */
  retry(item: LaneItem<T>, delayMs: number, now: number): void {
    const lane = this.lanes.get(item.key) as Lane<T>;
    item.attempts += 1;
    lane.busy = false;
    lane.notBefore = now + delayMs;
    if (delayMs <= 0) this.ready.push(item.key);
    else this.delayed.add(item.key);
  }

  /** Whether some head can be taken now. */
  hasReady(now: number): boolean {
    if (this.ready.length > 0) return true;
    for (const key of this.delayed) if ((this.lanes.get(key) as Lane<T>).notBefore <= now) return true;
    return false;
  }

  /** The earliest retry time among delayed lanes, if any. */
  nextDue(): number | undefined {
    let next: number | undefined;
    for (const key of this.delayed) {
      const at = (this.lanes.get(key) as Lane<T>).notBefore;
      if (next === undefined || at < next) next = at;
    }
    return next;
  }

  /** When the longest-waiting event entered its lane. */
  oldestEnqueuedAt(): number | undefined {
    let oldest: number | undefined;
    for (const lane of this.lanes.values()) {
      const at = lane.items[0]?.enqueuedAt;
      if (at !== undefined && (oldest === undefined || at < oldest)) oldest = at;
    }
    return oldest;
  }
}

/** Exponential backoff with jitter: between half and all of min(max, initial·2^attempt). */
export function backoffDelay(
  attempt: number,
  initialMs: number,
  maxMs: number,
  random = Math.random,
): number {
  const ceiling = Math.min(maxMs, initialMs * 2 ** Math.max(0, attempt - 1));
  return Math.round(ceiling / 2 + (random() * ceiling) / 2);
}
