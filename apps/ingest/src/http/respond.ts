// Writing responses: XML documents, empty answers and S3 error documents. The
// only place that turns an error into what an S3 client expects.
import type { ServerResponse } from 'node:http';
import { renderXml, type S3Error } from '@bucket-events/s3-protocol';

export function sendXml(
  res: ServerResponse,
  status: number,
  xml: string,
  headers: Record<string, string> = {},
) {
  const body = Buffer.from(xml);
  res.writeHead(status, { ...headers, 'content-type': 'application/xml', 'content-length': body.length });
  res.end(body);
}

/** An answer without a body (a HEAD answer keeps the object's Content-Length). */
export function sendEmpty(
  res: ServerResponse,
  status: number,
  headers: Record<string, string | number> = {},
) {
  res.writeHead(status, { 'content-length': 0, ...headers });
  res.end();
}

export function sendError(
  res: ServerResponse,
  error: S3Error,
  requestId: string,
  resource: string,
  head = false,
) {
  if (res.headersSent) {
    res.destroy(error);
    return;
  }
  if (error.status === 304) {
    sendEmpty(res, 304);
    return;
  }
  const xml = renderXml(
    'Error',
    {
      Code: error.code,
      Message: error.message,
      ...error.extra,
      Resource: error.resource ?? resource,
      RequestId: requestId,
      HostId: requestId,
    },
    null,
  );
  if (head) {
    // HEAD answers carry no body; the code travels in a header for debugging.
    sendEmpty(res, error.status, {
      ...error.headers,
      'x-minio-error-code': error.code,
      'x-minio-error-desc': JSON.stringify(error.message),
    });
    return;
  }
  sendXml(res, error.status, xml, error.headers);
}

/** RFC 7231 date, as S3 sends Last-Modified. */
export function httpDate(iso: string): string {
  return new Date(iso).toUTCString();
}

/** ISO 8601 with milliseconds, as S3 lists LastModified. */
export function isoDate(iso: string): string {
  return new Date(iso).toISOString();
}
