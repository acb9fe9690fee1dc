// The command tree. Every command takes --json; every failure is one line on
// stderr (`bucket-events: <ERROR> …`, or mc's JSON error object under --json)
// and exit code 1.
import { Command, Option } from 'commander';
import { listAliases, removeAlias, setAlias } from './aliases.ts';
import { adminDlq, adminTargets } from './commands/admin.ts';
import { eventsAdd, eventsList, eventsRemove } from './commands/events.ts';
import { type LockOptions, legalHold, retentionClear, retentionInfo, retentionSet } from './commands/lock.ts';
import { cat, copy, list, makeBucket, removeBucket, removeObjects, stat } from './commands/objects.ts';
import { tagList, tagRemove, tagSet } from './commands/tags.ts';
import { copyRecursive, mirror } from './commands/tree.ts';
import { listVersions, versioning } from './commands/versions.ts';
import { watch } from './commands/watch.ts';
import { createOutput, describeFailure, type Output, PROGRAM_NAME } from './output.ts';

export function buildProgram(): Command {
  const program = new Command(PROGRAM_NAME)
    .description('Buckets, objects and bucket notifications on a Bucket Events (or any S3) server, mc style.')
    .addOption(new Option('--json', 'print JSON lines instead of text'))
    .version(`${PROGRAM_NAME} version ${process.env.BUCKET_EVENTS_VERSION ?? 'dev'}`, '--version')
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(text) });
  const out = (): Output => createOutput(Boolean(program.opts().json));
  const run =
    <A extends unknown[]>(action: (...args: A) => Promise<void>) =>
    async (...args: A) => {
      try {
        await action(...args);
      } catch (error) {
        process.stderr.write(
          program.opts().json
            ? `${JSON.stringify({ status: 'error', error: { message: describeFailure(error), type: 'error' } })}\n`
            : `${PROGRAM_NAME}: <ERROR> ${describeFailure(error)}\n`,
        );
        process.exitCode = 1;
      }
    };

  const alias = program
    .command('alias')
    .description('manage server aliases (stored in ~/.bucket-events/cli)');
  alias
    .command('set')
    .argument('<name>')
    .argument('<url>')
    .argument('<access-key>')
    .argument('<secret-key>')
    .description('add or replace an alias')
    .action(
      run(async (name: string, url: string, accessKey: string, secretKey: string) => {
        setAlias(name, { url, accessKey, secretKey });
        out().print(`Added \`${name}\` successfully.`, { alias: name, url });
      }),
    );
  alias
    .command('list')
    .alias('ls')
    .description('list aliases')
    .action(
      run(async () => {
        for (const [name, value] of Object.entries(listAliases())) {
          out().print(`${name}\n  URL       : ${value.url}\n  AccessKey : ${value.accessKey}`, {
            alias: name,
            url: value.url,
            accessKey: value.accessKey,
          });
        }
      }),
    );
  alias
    .command('remove')
    .alias('rm')
    .argument('<name>')
    .description('remove an alias')
    .action(
      run(async (name: string) => {
        if (!removeAlias(name)) throw new Error(`no alias "${name}" in the alias file`);
        out().print(`Removed \`${name}\` successfully.`, { alias: name });
      }),
    );

  program
    .command('mb')
    .argument('<ALIAS/BUCKET>')
    .option('-l, --with-lock', 'with object lock (and so versioning)')
    .description('make a bucket')
    .action(
      run(async (target: string, options: { withLock?: boolean }) => makeBucket(target, options, out())),
    );
  program
    .command('rb')
    .argument('<ALIAS/BUCKET>')
    .option('--force', 'remove the objects first')
    .description('remove a bucket')
    .action(
      run(async (target: string, options: { force?: boolean }) => removeBucket(target, options, out())),
    );
  program
    .command('ls')
    .argument('<ALIAS[/BUCKET[/PREFIX]]>')
    .option('-r, --recursive', 'list every object under the prefix')
    .option('--versions', 'list every version and delete marker under the prefix')
    .description('list buckets, or objects and folders')
    .action(
      run(async (target: string, options: { recursive?: boolean; versions?: boolean }) =>
        options.versions ? listVersions(target, out()) : list(target, options, out()),
      ),
    );
  program
    .command('cp')
    .argument('<SOURCE>')
    .argument('<TARGET>')
    .option('-r, --recursive', 'copy a folder to a bucket, or every object under a prefix to a folder')
    .description(
      'copy a file to a bucket, an object to a file, or an object to another key (multipart above 16 MiB)',
    )
    .action(
      run(async (source: string, target: string, options: { recursive?: boolean }) =>
        options.recursive ? copyRecursive(source, target, out()) : copy(source, target, out()),
      ),
    );
  program
    .command('mirror')
    .argument('<FOLDER>')
    .argument('<ALIAS/BUCKET[/PREFIX]>')
    .option('--overwrite', 'replace objects that differ from the local files')
    .option('--remove', 'remove objects the folder does not have')
    .description("make the bucket prefix hold the folder's contents: only what is missing or different goes")
    .action(
      run(async (source: string, target: string, options: { overwrite?: boolean; remove?: boolean }) =>
        mirror(source, target, options, out()),
      ),
    );
  program
    .command('cat')
    .argument('<ALIAS/BUCKET/KEY>')
    .description("print an object's content")
    .action(run(async (target: string) => cat(target)));
  program
    .command('rm')
    .argument('<ALIAS/BUCKET/KEY>')
    .option('-r, --recursive', 'remove every object under the prefix')
    .option('--force', 'confirm a recursive removal')
    .option('--version-id <id>', 'remove this version of the object for good')
    .option('--versions', 'remove every version and delete marker of the object (under the prefix with -r)')
    .description('remove objects (in a versioned bucket: add a delete marker, unless a version is named)')
    .action(
      run(
        async (
          target: string,
          options: { recursive?: boolean; force?: boolean; versionId?: string; versions?: boolean },
        ) => removeObjects(target, options, out()),
      ),
    );
  program
    .command('stat')
    .argument('<ALIAS/BUCKET/KEY>')
    .description("show an object's metadata")
    .action(run(async (target: string) => stat(target, out())));

  const version = program.command('version').description('manage bucket versioning');
  for (const [operation, description] of [
    ['enable', 'keep every version of every object from now on'],
    ['suspend', 'stop keeping new versions (the existing ones stay)'],
    ['info', "show the bucket's versioning state"],
  ] as const) {
    version
      .command(operation)
      .argument('<ALIAS/BUCKET>')
      .description(description)
      .action(run(async (target: string) => versioning(operation, target, out())));
  }

  const retention = program.command('retention').description("manage objects' retention (object lock)");
  const lockOptions = (command: Command) =>
    command
      .option('--default', "the bucket's default retention instead of an object's")
      .option('--version-id <id>', 'this version of the object')
      .option('--bypass', 'shorten or clear a GOVERNANCE retention');
  lockOptions(
    retention
      .command('set')
      .argument('<MODE>', 'GOVERNANCE or COMPLIANCE')
      .argument('<VALIDITY>', 'days or years, as 30d or 1y')
      .argument('<ALIAS/BUCKET[/KEY]>')
      .description("set an object's retention, or with --default the bucket's"),
  ).action(
    run(async (mode: string, validity: string, target: string, options: LockOptions) =>
      retentionSet(mode, validity, target, options, out()),
    ),
  );
  lockOptions(
    retention.command('clear').argument('<ALIAS/BUCKET[/KEY]>').description('remove a retention'),
  ).action(run(async (target: string, options: LockOptions) => retentionClear(target, options, out())));
  lockOptions(
    retention.command('info').argument('<ALIAS/BUCKET[/KEY]>').description('show a retention'),
  ).action(run(async (target: string, options: LockOptions) => retentionInfo(target, options, out())));
  const legalhold = program.command('legalhold').description("manage objects' legal hold (object lock)");
  for (const [operation, description] of [
    ['set', 'put a legal hold on the object'],
    ['clear', "lift the object's legal hold"],
    ['info', "show the object's legal hold"],
  ] as const) {
    legalhold
      .command(operation)
      .argument('<ALIAS/BUCKET/KEY>')
      .option('--version-id <id>', 'this version of the object')
      .description(description)
      .action(
        run(async (target: string, options: LockOptions) => legalHold(operation, target, options, out())),
      );
  }

  const events = program.command('events').alias('event').description('manage bucket notifications');
  events
    .command('add')
    .argument('<ALIAS/BUCKET>')
    .argument('<ARN>')
    // put,delete as in the seed's mc (its `events list` line shows exactly those); today's mc adds get.
    .option('--event <words>', 'put, delete, get, replica, ilm, scanner (comma-separated)', 'put,delete')
    .option('--prefix <prefix>', 'only object names starting with this')
    .option('--suffix <suffix>', 'only object names ending with this')
    .option('--ignore-existing', 'succeed without change when the same rule is already there')
    .description('add a notification rule sending the events to ARN')
    .action(
      run(
        async (
          target: string,
          arn: string,
          options: { event: string; prefix?: string; suffix?: string; ignoreExisting?: boolean },
        ) => eventsAdd(target, arn, options, out()),
      ),
    );
  events
    .command('list')
    .alias('ls')
    .argument('<ALIAS/BUCKET>')
    .argument('[ARN]')
    .description("list the bucket's notification rules")
    .action(run(async (target: string, arn: string | undefined) => eventsList(target, arn, out())));
  events
    .command('remove')
    .alias('rm')
    .argument('<ALIAS/BUCKET>')
    .argument('[ARN]')
    .option('--force', 'remove every rule when no ARN is given')
    .description("remove the bucket's rules for ARN (or all, with --force)")
    .action(
      run(async (target: string, arn: string | undefined, options: { force?: boolean }) =>
        eventsRemove(target, arn, options, out()),
      ),
    );

  const tag = program.command('tag').description("manage an object's tags");
  tag
    .command('set')
    .argument('<ALIAS/BUCKET/OBJECT>')
    .argument('<TAGS>', '"key1=value1&key2=value2"')
    .description("replace the object's tags")
    .action(run(async (target: string, tags: string) => tagSet(target, tags, out())));
  tag
    .command('list')
    .alias('ls')
    .argument('<ALIAS/BUCKET/OBJECT>')
    .description("print the object's tags")
    .action(run(async (target: string) => tagList(target, out())));
  tag
    .command('remove')
    .alias('rm')
    .argument('<ALIAS/BUCKET/OBJECT>')
    .description("remove all the object's tags")
    .action(run(async (target: string) => tagRemove(target, out())));

  program
    .command('watch')
    .argument('<ALIAS[/BUCKET]>')
    .option('--events <words>', 'put, delete, get (comma-separated)', 'put,delete,get')
    .option('--prefix <prefix>', 'only object names starting with this')
    .option('--suffix <suffix>', 'only object names ending with this')
    .description('print events as they happen, until interrupted')
    .action(
      run(async (target: string, options: { events: string; prefix?: string; suffix?: string }) => {
        const abort = new AbortController();
        process.once('SIGINT', () => abort.abort());
        process.once('SIGTERM', () => abort.abort());
        await watch(target, options, out(), abort.signal);
      }),
    );

  const admin = program.command('admin').description("the operator's view");
  admin
    .command('targets')
    .argument('<ALIAS>')
    .description(
      'every target: state, backlog, oldest pending event, delivered/failed/dead-lettered, last error',
    )
    .action(run(async (target: string) => adminTargets(target, out())));
  admin
    .command('dlq')
    .argument('<list|redrive|purge>')
    .argument('<ALIAS>')
    .argument('<ARN>')
    .description("a target's dead-lettered events: list them, send them back, or purge them")
    .action(run(async (action: string, target: string, arn: string) => adminDlq(action, target, arn, out())));
  return program;
}
