// `tag set|list|remove ALIAS/BUCKET/OBJECT`: mc's object tagging commands, with
// mc's argument form (`"key1=value1&key2=value2"`) and messages.
import {
  DeleteObjectTaggingCommand,
  GetObjectTaggingCommand,
  PutObjectTaggingCommand,
} from '@aws-sdk/client-s3';
import { s3Client } from '../client.ts';
import { remote } from '../location.ts';
import type { Output } from '../output.ts';

function objectOf(target: string) {
  const location = remote(target, 'object');
  return {
    location,
    s3: s3Client(location.alias),
    name: `${location.aliasName}/${location.bucket}/${location.key}`,
  };
}

export async function tagSet(target: string, tags: string, out: Output): Promise<void> {
  const { location, s3, name } = objectOf(target);
  const TagSet = [...new URLSearchParams(tags)].map(([Key, Value]) => ({ Key, Value }));
  if (TagSet.length === 0) throw new Error(`no tags in "${tags}": give them as "key1=value1&key2=value2"`);
  await s3.send(
    new PutObjectTaggingCommand({ Bucket: location.bucket, Key: location.key, Tagging: { TagSet } }),
  );
  out.print(`Tags set for ${name}.`, {
    url: name,
    tags: Object.fromEntries(TagSet.map((t) => [t.Key, t.Value])),
  });
}

export async function tagList(target: string, out: Output): Promise<void> {
  const { location, s3, name } = objectOf(target);
  const { TagSet = [] } = await s3.send(
    new GetObjectTaggingCommand({ Bucket: location.bucket, Key: location.key }),
  );
  const tags = Object.fromEntries(TagSet.map((tag) => [tag.Key ?? '', tag.Value ?? '']));
  const width = Math.max(4, ...Object.keys(tags).map((key) => key.length));
  const lines = [
    `${'Name'.padEnd(width)} : ${name}`,
    ...Object.entries(tags).map(([k, v]) => `${k.padEnd(width)} : ${v}`),
  ];
  out.print(lines.join('\n'), { url: name, tags });
}

export async function tagRemove(target: string, out: Output): Promise<void> {
  const { location, s3, name } = objectOf(target);
  await s3.send(new DeleteObjectTaggingCommand({ Bucket: location.bucket, Key: location.key }));
  out.print(`Tags removed for ${name}.`, { url: name });
}
