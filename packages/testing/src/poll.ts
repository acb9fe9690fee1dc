// A poller that costs nothing while nobody watches: a benchmark shares two
// cores with what it measures, so a reader that polls its target (a table, an
// index) polls only during the phases that read it.

export interface WatchedPoller {
  watch(on: boolean): void;
  stop(): Promise<void>;
}

/**
 * Runs `poll` over and over while watched; after a poll that returns true (nothing more waiting)
 * it pauses `gapMs` first.
 */
export function pollWhileWatched(poll: () => Promise<boolean>, gapMs: number): WatchedPoller {
  let open = true;
  let watched = false;
  let wake: (() => void) | undefined;
  const loop = (async () => {
    while (open) {
      if (!watched) {
        await new Promise<void>((resolve) => {
          wake = resolve;
        });
        continue;
      }
      if (await poll()) await new Promise((resolve) => setTimeout(resolve, gapMs));
    }
  })();
  const wakeUp = () => {
    wake?.();
    wake = undefined;
  };
  return {
    watch(on: boolean) {
      watched = on;
      wakeUp();
    },
    async stop() {
      open = false;
      wakeUp();
      await loop;
    },
  };
}
