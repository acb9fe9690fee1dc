// `admin targets` and `admin dlq`: the operator's view of every target, from
// the server's admin API.
import type { TargetStatus } from '@bucket-events/contracts';
import { adminCall } from '../client.ts';
import { remote } from '../location.ts';
import type { Output } from '../output.ts';

const seconds = (value: number) =>
  value < 1 ? '0s' : value < 120 ? `${Math.round(value)}s` : `${Math.round(value / 60)}m`;

export async function adminTargets(target: string, out: Output): Promise<void> {
  const { alias } = remote(target, 'alias');
  const { targets } = await adminCall<{ targets: TargetStatus[] }>(alias, 'GET', 'targets');
  const columns = ['ARN', 'STATE', 'PROCS', 'BACKLOG', 'OLDEST', 'DELIVERED', 'FAILED', 'DEAD', 'LAST ERROR'];
  const rows = targets.map((t) => [
    t.arn,
    t.state,
    String(t.processes),
    String(t.backlog),
    seconds(t.oldestPendingSeconds),
    String(t.delivered),
    String(t.failed),
    String(t.deadLettered),
    t.lastError,
  ]);
  const widths = columns.map((column, i) =>
    Math.max(column.length, ...rows.map((row) => (row[i] ?? '').length)),
  );
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => (i === cells.length - 1 ? cell : cell.padEnd(widths[i] ?? 0)))
      .join('  ')
      .trimEnd();
  if (!out.json) out.print(line(columns), {});
  for (const [index, row] of rows.entries()) {
    const status = targets[index] as TargetStatus;
    out.print(line(row), status);
    if (!out.json) for (const text of processLines(status)) out.print(text, {});
  }
}

/** Under a target: each process, the partitions it owns (`p<n>`) and their backlog; then any unowned. */
function processLines(status: TargetStatus): string[] {
  const backlogOf = new Map(status.partitions.map((p) => [p.queue, p.backlog]));
  const short = (queue: string) => {
    const backlog = backlogOf.get(queue) ?? 0;
    const name = queue.slice(queue.lastIndexOf('.') + 1);
    return backlog > 0 ? `${name}(${backlog})` : name;
  };
  const lines = status.instances.map(
    (instance) =>
      `  ${instance.instance}  ${instance.online ? 'online' : 'offline'}  held ${instance.held}  partitions ${instance.partitions.length}: ${instance.partitions.map(short).join(' ')}`,
  );
  const unowned = status.partitions.filter((p) => p.owner === '').map((p) => short(p.queue));
  if (unowned.length > 0 && status.partitions.length > 0) lines.push(`  unowned: ${unowned.join(' ')}`);
  return lines;
}

export async function adminDlq(action: string, target: string, arn: string, out: Output): Promise<void> {
  const { alias } = remote(target, 'alias');
  switch (action) {
    case 'list': {
      const { letters } = await adminCall<{
        letters: { id: string; error: string; attempts: number; failedAt: string }[];
      }>(alias, 'GET', 'dlq', { arn });
      for (const letter of letters) {
        out.print(`${letter.failedAt}  ${letter.id}  attempts=${letter.attempts}  ${letter.error}`, letter);
      }
      return;
    }
    case 'redrive': {
      const { redriven } = await adminCall<{ redriven: number }>(alias, 'POST', 'dlq/redrive', { arn });
      out.print(`Sent ${redriven} dead-lettered event(s) back to ${arn}`, { arn, redriven });
      return;
    }
    case 'purge': {
      const { purged } = await adminCall<{ purged: number }>(alias, 'DELETE', 'dlq', { arn });
      out.print(`Purged ${purged} dead-lettered event(s) of ${arn}`, { arn, purged });
      return;
    }
    default:
      throw new Error(`unknown dlq action "${action}": use list, redrive or purge`);
  }
}
