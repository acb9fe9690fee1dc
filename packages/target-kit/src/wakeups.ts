// The writers' sleep: each sleeps until new work, a retry time or a timeout,
// and signal() wakes them all at once.
export class Wakeups {
  private readonly sleepers = new Set<() => void>();

  /** Resolves after `ms`, or sooner at the next signal(). */
  sleep(ms: number): Promise<void> {
    return new Promise<void>((resolve) => {
      const wake = () => {
        clearTimeout(timer);
        this.sleepers.delete(wake);
        resolve();
      };
      const timer = setTimeout(wake, ms);
      this.sleepers.add(wake);
    });
  }

  signal(): void {
    for (const wake of [...this.sleepers]) wake();
  }
}
