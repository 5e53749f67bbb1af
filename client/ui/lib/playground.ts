import type { DataAnswer } from '../../../shared/data.ts';
import { pickHeaders } from './snippets.ts';

export interface PlaygroundResult {
  status: number;
  ms: number;
  headers: { name: string; value: string }[];
  /** The answer on success. */
  answer: DataAnswer | null;
  /** The error body otherwise: `{ error: { code, message, … } }`. */
  error: { code: string; message: string; [k: string]: unknown } | null;
}

/** Calls POST /api/v1/data exactly as any client would, and keeps what the playground shows. */
export async function callDataApi(body: unknown, apiKey: string | null, signal?: AbortSignal): Promise<PlaygroundResult> {
  const started = performance.now();
  const res = await fetch('/api/v1/data', {
    method: 'POST',
    headers: { 'Content-Type': 'application/json', ...(apiKey !== null ? { 'X-API-Key': apiKey } : {}) },
    body: JSON.stringify(body),
    // The admin session cookie has no business on the public API.
    credentials: 'omit',
    ...(signal ? { signal } : {}),
  });
  const ms = performance.now() - started;
  const json: unknown = await res.json().catch(() => null);
  const headers = pickHeaders(res.headers);
  if (res.ok) return { status: res.status, ms, headers, answer: json as DataAnswer, error: null };
  const err = (json as { error?: PlaygroundResult['error'] } | null)?.error ?? { code: `HTTP_${res.status}`, message: res.statusText || 'Request failed' };
  return { status: res.status, ms, headers, answer: null, error: err };
}
