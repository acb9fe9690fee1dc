// The admin API behind the CLI's `admin` commands, under `/minio/admin/v3/`
// like MinIO's, signed like any S3 request (root credentials). Answers are JSON;
// errors are JSON `{"Code","Message"}` as MinIO's admin API sends them.
//
//   GET    /minio/admin/v3/targets              every configured target's status
//   GET    /minio/admin/v3/dlq?arn=ARN           the target's dead letters
//   POST   /minio/admin/v3/dlq/redrive?arn=ARN   put them back on the target's queue
//   DELETE /minio/admin/v3/dlq?arn=ARN           purge them
import type { ServerResponse } from 'node:http';
import type { ConfiguredTarget } from '@bucket-events/config';
import {
  type DeadLetterScope,
  listDeadLetters,
  purgeDeadLetters,
  redriveDeadLetters,
  type TargetStatusReader,
} from '@bucket-events/target-kit';
import type { S3Context } from '../http/context.ts';

export const ADMIN_BUCKET = 'minio';
export const ADMIN_KEY_PREFIX = 'admin/v3/';

export interface AdminDeps {
  status: TargetStatusReader;
  redisUrl: string;
  queuePrefix: string;
}

class AdminError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
  ) {
    super(message);
  }
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
  res.end(text);
}

function targetOf(context: S3Context): ConfiguredTarget {
  const arn = context.query.get('arn') ?? '';
  if (arn === '') throw new AdminError(400, 'InvalidArgument', 'The arn parameter is required.');
  const target = context.deps.config.targets.find((t) => t.arn === arn);
  if (!target) throw new AdminError(404, 'NoSuchTarget', `No enabled target has the ARN ${arn}.`);
  return target;
}

export async function adminRequest(context: S3Context): Promise<void> {
  const { admin, config } = context.deps;
  const route = `${context.req.method} ${context.key.slice(ADMIN_KEY_PREFIX.length)}`;
  const scope = (target: ConfiguredTarget): DeadLetterScope => ({
    target,
    prefix: admin.queuePrefix,
    redisUrl: admin.redisUrl,
  });
  try {
    switch (route) {
      case 'GET targets':
        sendJson(context.res, 200, { targets: await admin.status.read(config.targets) });
        return;
      case 'GET dlq': {
        const target = targetOf(context);
        sendJson(context.res, 200, { arn: target.arn, letters: await listDeadLetters(scope(target)) });
        return;
      }
      case 'POST dlq/redrive': {
        const target = targetOf(context);
        sendJson(context.res, 200, { arn: target.arn, redriven: await redriveDeadLetters(scope(target)) });
        return;
      }
      case 'DELETE dlq': {
        const target = targetOf(context);
        sendJson(context.res, 200, { arn: target.arn, purged: await purgeDeadLetters(scope(target)) });
        return;
      }
      default:
        throw new AdminError(404, 'NotImplemented', `No admin API ${route}.`);
    }
  } catch (error) {
    if (error instanceof AdminError) {
      sendJson(context.res, error.status, { Code: error.code, Message: error.message });
      return;
    }
    throw error;
  }
}
