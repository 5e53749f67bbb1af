import { TRPCClientError } from '@trpc/client';

export interface FieldIssue {
  field: string;
  message: string;
}

/** What the SPA needs to know about a failed call, whatever produced it. */
export interface ServerError {
  message: string;
  httpStatus: number | undefined;
  /** tRPC code, e.g. UNAUTHORIZED. */
  code: string | undefined;
  /** Harmonic's own code, e.g. RATE_LIMITED, VALIDATION_FAILED. */
  appCode: string | undefined;
  issues: FieldIssue[];
  details: Record<string, unknown>;
  /** The procedure, e.g. admin.users.list. */
  path: string | undefined;
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

function isIssue(v: unknown): v is FieldIssue {
  return isRecord(v) && typeof v['field'] === 'string' && typeof v['message'] === 'string';
}

/** Reads the server's error shape (server/trpc.ts errorFormatter) from anything thrown. */
export function readError(err: unknown): ServerError {
  if (err instanceof TRPCClientError) {
    const data: unknown = err.data;
    const d = isRecord(data) ? data : {};
    const status = typeof d['httpStatus'] === 'number' ? d['httpStatus'] : undefined;
    return {
      message: err.message || 'Something went wrong',
      httpStatus: status,
      code: typeof d['code'] === 'string' ? d['code'] : undefined,
      appCode: typeof d['appCode'] === 'string' ? d['appCode'] : undefined,
      issues: Array.isArray(d['issues']) ? d['issues'].filter(isIssue) : [],
      details: isRecord(d['details']) ? d['details'] : {},
      path: typeof d['path'] === 'string' ? d['path'] : undefined,
    };
  }
  const networkish = err instanceof TypeError;
  return {
    message: networkish ? 'Could not reach the server. Check your connection and try again.' : err instanceof Error ? err.message : 'Something went wrong',
    httpStatus: undefined,
    code: undefined,
    appCode: undefined,
    issues: [],
    details: {},
    path: undefined,
  };
}

/** A sentence for people: the message, without the `field: ` prefixes when the fields are shown by the inputs. */
export function errorMessage(err: unknown): string {
  return readError(err).message;
}
