// Talking to a server named by an alias: the AWS SDK for S3 operations (so the
// plain S3 commands work against any S3 endpoint), and SigV4-signed raw
// requests for what the SDK does not know: live events and the admin API.
import { Sha256 } from '@aws-crypto/sha256-js';
import { S3Client } from '@aws-sdk/client-s3';
import { HttpRequest } from '@smithy/protocol-http';
import { SignatureV4 } from '@smithy/signature-v4';
import type { Alias } from './aliases.ts';

export const REGION = process.env.MINIO_REGION ?? 'us-east-1';

export function s3Client(alias: Alias): S3Client {
  return new S3Client({
    endpoint: alias.url,
    region: REGION,
    forcePathStyle: true,
    credentials: { accessKeyId: alias.accessKey, secretAccessKey: alias.secretKey },
  });
}

/** A signed request (empty body) to `path?query` on the alias's server. */
export async function signedFetch(
  alias: Alias,
  method: string,
  path: string,
  query: Record<string, string | string[]> = {},
  init: { signal?: AbortSignal } = {},
): Promise<Response> {
  const url = new URL(alias.url);
  const signer = new SignatureV4({
    credentials: { accessKeyId: alias.accessKey, secretAccessKey: alias.secretKey },
    region: REGION,
    service: 's3',
    sha256: Sha256,
  });
  const emptySha256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
  const signed = await signer.sign(
    new HttpRequest({
      method,
      protocol: url.protocol,
      hostname: url.hostname,
      port: url.port ? Number(url.port) : undefined,
      path,
      query,
      headers: { host: url.host, 'x-amz-content-sha256': emptySha256 },
    }),
  );
  const target = new URL(path, alias.url);
  for (const [name, value] of Object.entries(query)) {
    for (const one of Array.isArray(value) ? value : [value]) target.searchParams.append(name, one);
  }
  const headers = { ...(signed.headers as Record<string, string>) };
  delete headers.host;
  return fetch(target, { method, headers, signal: init.signal });
}

/** An admin API call: JSON in, JSON out; a JSON `{"Code","Message"}` answer becomes an error. */
export async function adminCall<T>(
  alias: Alias,
  method: string,
  route: string,
  query: Record<string, string> = {},
) {
  const response = await signedFetch(alias, method, `/minio/admin/v3/${route}`, query);
  const text = await response.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    const code = /<Code>([^<]+)<\/Code>/.exec(text)?.[1];
    const message = /<Message>([^<]+)<\/Message>/.exec(text)?.[1];
    throw new Error(code ? `${code}: ${message ?? ''}` : `unexpected answer (${response.status})`);
  }
  if (!response.ok) {
    const error = body as { Code?: string; Message?: string };
    throw new Error(`${error.Code ?? response.status}: ${error.Message ?? ''}`);
  }
  return body as T;
}
