// Decodes an `aws-chunked` request body as a stream — the form SDKs and the
// MinIO client use for STREAMING-* payloads — checking every chunk signature
// (and the trailer signature) as the data passes, in constant memory.
//
//   <hex size>[;chunk-signature=<sig>]\r\n<data>\r\n ... 0[;chunk-signature=<sig>]\r\n
//   [<trailer>:<value>\r\n ... [x-amz-trailer-signature:<sig>\r\n]]\r\n
import { createHash, type Hash } from 'node:crypto';
import { Transform, type TransformCallback } from 'node:stream';
import { S3Errors } from './errors.ts';
import { EMPTY_SHA256, type SigningContext, sameSignature, sha256Hex, signString } from './sigv4.ts';

const MAX_LINE = 4096;
const MAX_TRAILER_BYTES = 16 * 1024;

export interface AwsChunkedOptions {
  /** Present when chunks are signed (STREAMING-AWS4-HMAC-SHA256-PAYLOAD[-TRAILER]). */
  signing?: SigningContext;
  /** Whether trailing headers follow the last chunk. */
  trailer: boolean;
}

type State = 'header' | 'data' | 'data-crlf' | 'trailer' | 'done';

export class AwsChunkedDecoder extends Transform {
  /** Trailing headers (lower-case names), filled once the stream has ended. */
  readonly trailers: Record<string, string> = {};
  private state: State = 'header';
  private line = Buffer.alloc(0);
  private remaining = 0;
  private expectedSignature: string | undefined;
  private previousSignature: string | undefined;
  private chunkHash: Hash | undefined;
  private trailerBytes = 0;
  private trailerLines: string[] = [];

  constructor(private readonly options: AwsChunkedOptions) {
    super();
    this.previousSignature = options.signing?.signature;
  }

  override _transform(chunk: Buffer, _encoding: BufferEncoding, callback: TransformCallback): void {
    try {
      let offset = 0;
      while (offset < chunk.length) offset = this.step(chunk, offset);
      callback();
    } catch (error) {
      callback(error as Error);
    }
  }

  override _flush(callback: TransformCallback): void {
    if (this.state !== 'done')
      callback(S3Errors.IncompleteBody('The aws-chunked body ended before its final chunk.'));
    else callback();
  }

  private step(chunk: Buffer, offset: number): number {
    switch (this.state) {
      case 'header':
      case 'trailer':
      case 'data-crlf': {
        const newline = chunk.indexOf(0x0a, offset);
        const end = newline === -1 ? chunk.length : newline + 1;
        this.line = Buffer.concat([this.line, chunk.subarray(offset, end)]);
        if (this.line.length > MAX_LINE) throw S3Errors.InvalidRequest('aws-chunked line too long');
        if (newline !== -1) {
          const line = this.line.toString('latin1').replace(/\r?\n$/, '');
          this.line = Buffer.alloc(0);
          this.onLine(line);
        }
        return end;
      }
      case 'data': {
        const take = Math.min(this.remaining, chunk.length - offset);
        const piece = chunk.subarray(offset, offset + take);
        this.chunkHash?.update(piece);
        this.push(piece);
        this.remaining -= take;
        if (this.remaining === 0) this.endOfChunkData();
        return offset + take;
      }
      case 'done':
        // Bytes after the terminating empty line are ignored, as S3 does.
        return chunk.length;
    }
  }

  private onLine(line: string) {
    if (this.state === 'data-crlf') {
      if (line !== '') throw S3Errors.InvalidRequest('aws-chunked chunk data is not followed by CRLF');
      this.state = 'header';
      return;
    }
    if (this.state === 'trailer') {
      this.onTrailerLine(line);
      return;
    }
    const [sizeHex, ...extensions] = line.split(';');
    if (!sizeHex || !/^[0-9a-fA-F]{1,16}$/.test(sizeHex))
      throw S3Errors.InvalidRequest('aws-chunked chunk size is malformed');
    const size = Number.parseInt(sizeHex, 16);
    this.expectedSignature = extensions
      .map((ext) => ext.trim())
      .find((ext) => ext.startsWith('chunk-signature='))
      ?.slice('chunk-signature='.length);
    if (this.options.signing && !this.expectedSignature)
      throw S3Errors.SignatureDoesNotMatch('Chunk signature missing.');
    this.chunkHash = this.options.signing ? createHash('sha256') : undefined;
    this.remaining = size;
    if (size === 0) {
      this.verifyChunk(EMPTY_SHA256);
      // Without a trailer the body is complete; its closing CRLF, if any, is ignored.
      this.state = this.options.trailer ? 'trailer' : 'done';
      return;
    }
    this.state = 'data';
  }

  private endOfChunkData() {
    this.verifyChunk(this.chunkHash ? this.chunkHash.digest('hex') : EMPTY_SHA256);
    this.state = 'data-crlf';
  }

  private verifyChunk(dataSha256: string) {
    const signing = this.options.signing;
    if (!signing || this.expectedSignature === undefined) return;
    const stringToSign = [
      'AWS4-HMAC-SHA256-PAYLOAD',
      signing.amzDate,
      signing.scope,
      this.previousSignature,
      EMPTY_SHA256,
      dataSha256,
    ].join('\n');
    const expected = signString(signing.secretKey, signing.scope, stringToSign);
    if (!sameSignature(expected, this.expectedSignature)) throw S3Errors.SignatureDoesNotMatch();
    this.previousSignature = this.expectedSignature;
  }

  private onTrailerLine(line: string) {
    this.trailerBytes += line.length;
    if (this.trailerBytes > MAX_TRAILER_BYTES) throw S3Errors.InvalidRequest('aws-chunked trailer too large');
    if (line === '') {
      this.state = 'done';
      return;
    }
    const colon = line.indexOf(':');
    if (colon <= 0) throw S3Errors.InvalidRequest('aws-chunked trailer line is malformed');
    const name = line.slice(0, colon).trim().toLowerCase();
    const value = line.slice(colon + 1).trim();
    if (name === 'x-amz-trailer-signature') {
      this.verifyTrailer(value);
      return;
    }
    this.trailers[name] = value;
    this.trailerLines.push(`${name}:${value}\n`);
  }

  private verifyTrailer(signature: string) {
    const signing = this.options.signing;
    if (!signing) return;
    const stringToSign = [
      'AWS4-HMAC-SHA256-TRAILER',
      signing.amzDate,
      signing.scope,
      this.previousSignature,
      sha256Hex(this.trailerLines.join('')),
    ].join('\n');
    if (!sameSignature(signString(signing.secretKey, signing.scope, stringToSign), signature)) {
      throw S3Errors.SignatureDoesNotMatch('The trailer signature does not match.');
    }
  }
}
