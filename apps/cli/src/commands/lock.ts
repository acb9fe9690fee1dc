// Object lock, mc style: `retention set|clear|info [--default]` and
// `legalhold set|clear|info`, with mc's argument forms (`GOVERNANCE 30d`,
// `COMPLIANCE 1y`) and `--version-id`, through the AWS SDK.
import {
  GetObjectLegalHoldCommand,
  GetObjectLockConfigurationCommand,
  GetObjectRetentionCommand,
  PutObjectLegalHoldCommand,
  PutObjectLockConfigurationCommand,
  PutObjectRetentionCommand,
} from '@aws-sdk/client-s3';
import { s3Client } from '../client.ts';
import { remote } from '../location.ts';
import type { Output } from '../output.ts';

type Mode = 'GOVERNANCE' | 'COMPLIANCE';

export interface LockOptions {
  /** The bucket's default retention instead of one object's. */
  default?: boolean;
  versionId?: string;
  /** Shorten or clear a GOVERNANCE retention (x-amz-bypass-governance-retention). */
  bypass?: boolean;
}

/** `30d`, `1y`: a number of days or years, as mc writes a validity. */
export function parseValidity(text: string): { days: number } | { years: number } {
  const match = /^(\d+)([dy])$/i.exec(text.trim());
  const count = Number(match?.[1]);
  if (!match || !Number.isInteger(count) || count <= 0)
    throw new Error(`"${text}" is not a validity: give a number of days or years, as 30d or 1y`);
  return match[2]?.toLowerCase() === 'y' ? { years: count } : { days: count };
}

function parseMode(text: string): Mode {
  const mode = text.toUpperCase();
  if (mode !== 'GOVERNANCE' && mode !== 'COMPLIANCE')
    throw new Error(`"${text}" is not a retention mode: GOVERNANCE or COMPLIANCE`);
  return mode;
}

function until(validity: { days: number } | { years: number }): Date {
  const days = 'days' in validity ? validity.days : validity.years * 365;
  return new Date(Date.now() + days * 86_400_000);
}

/** PutObjectRetention on the object at `target` (a version, with the bypass if asked); its name. */
async function putRetention(
  target: string,
  options: LockOptions,
  retention: { Mode?: Mode; RetainUntilDate?: Date },
): Promise<string> {
  const location = remote(target, 'object');
  await s3Client(location.alias).send(
    new PutObjectRetentionCommand({
      Bucket: location.bucket,
      Key: location.key,
      VersionId: options.versionId,
      BypassGovernanceRetention: options.bypass,
      Retention: retention,
    }),
  );
  return `${location.aliasName}/${location.bucket}/${location.key}`;
}

export async function retentionSet(
  modeText: string,
  validityText: string,
  target: string,
  options: LockOptions,
  out: Output,
): Promise<void> {
  const mode = parseMode(modeText);
  const validity = parseValidity(validityText);
  if (options.default) {
    const location = remote(target, 'bucket');
    await s3Client(location.alias).send(
      new PutObjectLockConfigurationCommand({
        Bucket: location.bucket,
        ObjectLockConfiguration: {
          ObjectLockEnabled: 'Enabled',
          Rule: {
            DefaultRetention: {
              Mode: mode,
              ...('days' in validity ? { Days: validity.days } : { Years: validity.years }),
            },
          },
        },
      }),
    );
    const name = `${location.aliasName}/${location.bucket}`;
    out.print(`Object lock configuration set successfully for \`${name}\` (${mode} ${validityText}).`, {
      url: name,
      mode,
      validity: validityText,
    });
    return;
  }
  const retainUntil = until(validity);
  const name = await putRetention(target, options, { Mode: mode, RetainUntilDate: retainUntil });
  out.print(
    `Object retention successfully set for \`${name}\` (${mode} until ${retainUntil.toISOString()}).`,
    {
      url: name,
      versionId: options.versionId,
      mode,
      retainUntilDate: retainUntil,
    },
  );
}

export async function retentionClear(target: string, options: LockOptions, out: Output): Promise<void> {
  if (options.default) {
    const location = remote(target, 'bucket');
    await s3Client(location.alias).send(
      new PutObjectLockConfigurationCommand({
        Bucket: location.bucket,
        ObjectLockConfiguration: { ObjectLockEnabled: 'Enabled' },
      }),
    );
    const name = `${location.aliasName}/${location.bucket}`;
    out.print(`Object lock configuration cleared successfully for \`${name}\`.`, { url: name });
    return;
  }
  const name = await putRetention(target, options, {});
  out.print(`Object retention successfully cleared for \`${name}\`.`, {
    url: name,
    versionId: options.versionId,
  });
}

export async function retentionInfo(target: string, options: LockOptions, out: Output): Promise<void> {
  if (options.default) {
    const location = remote(target, 'bucket');
    const { ObjectLockConfiguration } = await s3Client(location.alias).send(
      new GetObjectLockConfigurationCommand({ Bucket: location.bucket }),
    );
    const rule = ObjectLockConfiguration?.Rule?.DefaultRetention;
    const name = `${location.aliasName}/${location.bucket}`;
    const validity =
      rule?.Days !== undefined ? `${rule.Days}d` : rule?.Years !== undefined ? `${rule.Years}y` : '';
    out.print(
      rule ? `${name}: ${rule.Mode} ${validity}` : `${name}: object lock enabled, no default retention`,
      {
        url: name,
        enabled: ObjectLockConfiguration?.ObjectLockEnabled ?? '',
        mode: rule?.Mode ?? '',
        validity,
      },
    );
    return;
  }
  const location = remote(target, 'object');
  const name = `${location.aliasName}/${location.bucket}/${location.key}`;
  const { Retention } = await s3Client(location.alias).send(
    new GetObjectRetentionCommand({
      Bucket: location.bucket,
      Key: location.key,
      VersionId: options.versionId,
    }),
  );
  out.print(`${name}: ${Retention?.Mode} until ${Retention?.RetainUntilDate?.toISOString()}`, {
    url: name,
    versionId: options.versionId,
    mode: Retention?.Mode,
    retainUntilDate: Retention?.RetainUntilDate,
  });
}

export async function legalHold(
  operation: 'set' | 'clear' | 'info',
  target: string,
  options: LockOptions,
  out: Output,
): Promise<void> {
  const location = remote(target, 'object');
  const s3 = s3Client(location.alias);
  const name = `${location.aliasName}/${location.bucket}/${location.key}`;
  const object = { Bucket: location.bucket, Key: location.key, VersionId: options.versionId };
  if (operation === 'info') {
    const { LegalHold } = await s3.send(new GetObjectLegalHoldCommand(object));
    out.print(`${name}: legal hold ${LegalHold?.Status ?? 'OFF'}`, {
      url: name,
      versionId: options.versionId,
      legalhold: LegalHold?.Status ?? 'OFF',
    });
    return;
  }
  const Status = operation === 'set' ? 'ON' : 'OFF';
  await s3.send(new PutObjectLegalHoldCommand({ ...object, LegalHold: { Status } }));
  out.print(`Object legal hold successfully ${operation === 'set' ? 'set' : 'cleared'} for \`${name}\`.`, {
    url: name,
    versionId: options.versionId,
    legalhold: Status,
  });
}
