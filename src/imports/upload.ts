import { createHash } from 'node:crypto';
import { Readable } from 'node:stream';
import type { ReadableStream as NodeReadableStream } from 'node:stream/web';
import busboy from 'busboy';
import { AppError } from '../http/errors';
import { fingerprint } from '../http/idempotency';
import { Utf8Census } from './encoding';

export interface UploadLimits {
  /** Above this the upload is refused with 413. */
  maxBytes: number;
}

/** Where the bytes of an upload go as they arrive (memory for small files, the job's blobs for large ones). */
export interface UploadSink {
  write(chunk: Uint8Array): Promise<void>;
}

export interface ReceivedUpload {
  fields: Record<string, string>;
  filename?: string;
  bytes: number;
  /** The first bytes, for sniffing the format. */
  head: Uint8Array;
  census: Utf8Census;
  /** SHA-256 of the file, its name and the form's fields: what tells one upload from another. */
  digest: string;
}

const HEAD_BYTES = 8192;

/** Counts, sniffs, hashes and forwards the bytes to the sink. */
class Meter {
  bytes = 0;
  head = new Uint8Array(0);
  readonly census = new Utf8Census();
  readonly hash = createHash('sha256');

  constructor(
    private readonly sink: UploadSink,
    private readonly limits: UploadLimits,
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    this.bytes += chunk.byteLength;
    if (this.bytes > this.limits.maxBytes) {
      throw new AppError(
        'PAYLOAD_TOO_LARGE',
        `the file is larger than the ${this.limits.maxBytes}-byte limit (MAX_UPLOAD_BYTES)`,
      );
    }
    if (this.head.byteLength < HEAD_BYTES) {
      const joined = new Uint8Array(Math.min(HEAD_BYTES, this.head.byteLength + chunk.byteLength));
      joined.set(this.head);
      joined.set(chunk.subarray(0, joined.byteLength - this.head.byteLength), this.head.byteLength);
      this.head = joined;
    }
    this.census.feed(chunk);
    this.hash.update(chunk);
    await this.sink.write(chunk);
  }
}

const RAW_TYPES =
  /^(text\/(csv|plain|tab-separated-values|x-csv|comma-separated-values)|application\/(csv|x-csv|octet-stream|vnd\.ms-excel))$/i;

/**
 * Streams a CSV upload into the sink: either the request body itself (text/csv and the types browsers
 * and curl give CSV files) or the one file of a multipart/form-data request, whose other parts are
 * the import's options.
 */
export async function receiveUpload(
  request: Request,
  sink: UploadSink,
  limits: UploadLimits,
): Promise<ReceivedUpload> {
  const type = request.headers.get('content-type') ?? '';
  const mediaType = type.split(';')[0]!.trim();
  const declared = Number(request.headers.get('content-length') ?? Number.NaN);
  if (declared > limits.maxBytes && !mediaType.startsWith('multipart/')) {
    throw new AppError(
      'PAYLOAD_TOO_LARGE',
      `the file is larger than the ${limits.maxBytes}-byte limit (MAX_UPLOAD_BYTES)`,
    );
  }
  if (!request.body) throw new AppError('UNPROCESSABLE', 'the request has no body: send the CSV file');
  const meter = new Meter(sink, limits);
  if (mediaType === 'multipart/form-data') {
    const { fields, filename } = await readMultipart(request, type, meter, limits);
    return {
      fields,
      ...(filename ? { filename } : {}),
      bytes: meter.bytes,
      head: meter.head,
      census: finish(meter),
      digest: digestOf(meter, fields, filename),
    };
  }
  if (mediaType !== '' && !RAW_TYPES.test(mediaType)) {
    throw new AppError(
      'UNSUPPORTED_MEDIA_TYPE',
      `send the CSV as the body (Content-Type: text/csv) or as a file in multipart/form-data, not as ${mediaType}`,
    );
  }
  for await (const chunk of request.body as unknown as AsyncIterable<Uint8Array>) await meter.write(chunk);
  return {
    fields: {},
    bytes: meter.bytes,
    head: meter.head,
    census: finish(meter),
    digest: digestOf(meter, {}),
  };
}

function finish(meter: Meter) {
  meter.census.finish();
  return meter.census;
}

/** The fields sorted by name: a form sent again in another order is the same request. */
function digestOf(meter: Meter, fields: Record<string, string>, filename?: string): string {
  const form = Object.entries(fields).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  return fingerprint(meter.hash.digest('hex'), JSON.stringify([filename ?? null, form]));
}

async function readMultipart(
  request: Request,
  contentType: string,
  meter: Meter,
  limits: UploadLimits,
): Promise<{ fields: Record<string, string>; filename?: string }> {
  const fields: Record<string, string> = {};
  let filename: string | undefined;
  let consuming: Promise<void> | undefined;
  let failure: unknown;
  let parser: busboy.Busboy;
  try {
    parser = busboy({
      headers: { 'content-type': contentType },
      limits: { files: 1, fileSize: limits.maxBytes, fields: 50, fieldSize: 1024 * 1024 },
    });
  } catch {
    throw new AppError('VALIDATION', 'the multipart body has no boundary', {
      errors: [{ field: 'content-type', message: 'no boundary' }],
    });
  }
  const closed = new Promise<void>((resolve, reject) => {
    parser.on('field', (name, value) => {
      fields[name] = value;
    });
    parser.on('file', (_name, stream, info) => {
      if (consuming) {
        stream.resume();
        return;
      }
      filename = info.filename;
      consuming = (async () => {
        try {
          for await (const chunk of stream) await meter.write(chunk as Uint8Array);
          if ((stream as { truncated?: boolean }).truncated) {
            throw new AppError(
              'PAYLOAD_TOO_LARGE',
              `the file is larger than the ${limits.maxBytes}-byte limit (MAX_UPLOAD_BYTES)`,
            );
          }
        } catch (error) {
          failure ??= error;
          stream.resume();
        }
      })();
    });
    // A second file would be left out without a word: the request is refused instead.
    parser.on('filesLimit', () => {
      failure ??= new AppError(
        'VALIDATION',
        'the multipart body has more than one file: send one CSV per import',
        {
          errors: [{ field: 'file', message: 'one file per import' }],
        },
      );
    });
    parser.on('close', resolve);
    parser.on('error', reject);
  });
  const body = Readable.fromWeb(request.body as unknown as NodeReadableStream<Uint8Array>);
  body.on('error', (error) => parser.destroy(error));
  body.pipe(parser);
  try {
    await closed;
  } catch (error) {
    throw (
      failure ?? new AppError('VALIDATION', `the multipart body is malformed: ${(error as Error).message}`)
    );
  }
  await consuming;
  if (failure) throw failure;
  if (!consuming) {
    throw new AppError('VALIDATION', 'the multipart body has no file part', {
      errors: [{ field: 'file', message: 'attach the CSV file' }],
    });
  }
  return { fields, ...(filename ? { filename } : {}) };
}
