/**
 * The one error vocabulary of the service: verbs throw AppError with a code, the HTTP edge maps the
 * code to a status and serializes it as application/problem+json (RFC 9457).
 */
export const ERROR_CODES = {
  VALIDATION: { status: 400, title: 'The request is not valid' },
  UNAUTHENTICATED: { status: 401, title: 'An API key is required' },
  FORBIDDEN: { status: 403, title: 'Your role does not allow this' },
  NOT_FOUND: { status: 404, title: 'Not found' },
  METHOD_NOT_ALLOWED: { status: 405, title: 'The route does not take this method' },
  CONFLICT: { status: 409, title: 'Conflict with the current state' },
  PAYLOAD_TOO_LARGE: { status: 413, title: 'The request body is too large' },
  UNSUPPORTED_MEDIA_TYPE: { status: 415, title: 'Unsupported content type' },
  UNPROCESSABLE: { status: 422, title: 'The content cannot be processed' },
  RATE_LIMITED: { status: 429, title: 'Too many requests' },
  INTERNAL: { status: 500, title: 'Internal error' },
  UNAVAILABLE: { status: 503, title: 'Service unavailable' },
} as const;

export type ErrorCode = keyof typeof ERROR_CODES;

/** A field (JSON pointer or name), a CSV line, or both, with what is wrong there. */
export interface FieldError {
  field?: string;
  line?: number;
  message: string;
}

export class AppError extends Error {
  constructor(
    readonly code: ErrorCode,
    message: string,
    readonly options: { errors?: FieldError[]; extra?: Record<string, unknown>; cause?: unknown } = {},
  ) {
    super(message, { cause: options.cause });
    this.name = 'AppError';
  }

  get status(): number {
    return ERROR_CODES[this.code].status;
  }
}

export const notFound = (what: string) => new AppError('NOT_FOUND', `${what} was not found`);
export const invalid = (message: string, errors?: FieldError[]) =>
  new AppError('VALIDATION', message, { errors });

export interface Problem {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  instance?: string;
  requestId?: string;
  errors?: FieldError[];
  [extra: string]: unknown;
}

const TYPE_BASE = 'https://tiede.dev/problems/';

export function toProblem(error: AppError, requestId?: string, instance?: string): Problem {
  const { title, status } = ERROR_CODES[error.code];
  return {
    ...error.options.extra,
    type: `${TYPE_BASE}${error.code.toLowerCase().replaceAll('_', '-')}`,
    title,
    status,
    detail: error.message,
    code: error.code,
    ...(instance ? { instance } : {}),
    ...(requestId ? { requestId } : {}),
    ...(error.options.errors?.length ? { errors: error.options.errors } : {}),
  };
}
