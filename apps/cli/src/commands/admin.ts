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
  const columns = ['ARN', 'STATE', 'BACKLOG', 'OLDEST', 'DELIVERED', 'FAILED', 'DEAD', 'LAST ERROR'];
  const rows = targets.map((t) => [
    t.arn,
    t.state,
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
  for (const [index, row] of rows.entries()) out.print(line(row), targets[index] as TargetStatus);
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
