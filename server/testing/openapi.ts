import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { expect } from 'vitest';
import type { SentResponse } from '../app.ts';
import { securityHeaders } from '../security-headers.ts';
import type { TestServer } from './server.ts';

interface HeaderObject {
  required?: boolean;
  schema?: object;
}
interface ResponseObject {
  headers?: Record<string, HeaderObject>;
  content?: Record<string, { schema: object }>;
}
interface Document {
  paths: Record<string, Record<string, { responses: Record<string, ResponseObject> }>>;
}

/** Headers every response may carry that are not part of the API's contract: HTTP's own, CORS's and the security headers. */
const TRANSPORT_HEADERS = new Set([
  'content-type',
  'content-length',
  'date',
  'connection',
  'keep-alive',
  'transfer-encoding',
  'vary',
  ...Object.keys(securityHeaders()).map((h) => h.toLowerCase()),
]);
const isTransportHeader = (name: string) => TRANSPORT_HEADERS.has(name) || name.startsWith('access-control-');

/**
 * Checks responses against the OpenAPI document the server serves: every
 * status, header and body field must be documented (JSON Schema 2020-12, with
 * Ajv), and every required header present. Responses of routes the document
 * does not describe (tRPC, admin, the docs page itself) are not its business.
 */
export class ResponseChecker {
  readonly #doc: Document;
  readonly #prefix: string;
  readonly #ajv: Ajv2020;
  readonly #validators = new Map<string, ValidateFunction>();

  constructor(doc: unknown, prefix = '/api/v1') {
    this.#doc = doc as Document;
    this.#prefix = prefix;
    this.#ajv = new Ajv2020({ strict: false, allErrors: true, validateFormats: true });
    addFormats.default(this.#ajv);
    this.#ajv.addSchema(doc as object, 'openapi.json');
  }

  /** What is wrong with one response, or an empty list. */
  problems(r: SentResponse): string[] {
    if (!r.route?.startsWith(`${this.#prefix}/`)) return [];
    const path = r.route.slice(this.#prefix.length).replace(/:([A-Za-z]+)/g, '{$1}');
    const item = this.#doc.paths[path];
    if (!item) return [];
    const method = r.method === 'HEAD' ? 'get' : r.method.toLowerCase();
    const label = `${r.method} ${path} → ${r.status}`;
    // A CORS preflight is answered by @fastify/cors as the Fetch standard says, before any operation.
    if (r.method === 'OPTIONS' && r.headers['access-control-allow-methods'] !== undefined) return [];
    const op = item[method];
    let documented = op?.responses[String(r.status)];
    let pointer = `#/paths/${escape(path)}/${method}/responses/${r.status}`;
    if (!documented && refusedBeforeTheOperation(r, op !== undefined)) {
      // Documented by every operation's 4XX; any operation of the path will do for a method it lacks.
      const owner = op ? method : (Object.keys(item)[0] ?? '');
      documented = item[owner]?.responses['4XX'];
      pointer = `#/paths/${escape(path)}/${owner}/responses/4XX`;
    }
    if (!documented) return [op ? `${label}: status not documented` : `${label}: neither the method nor the status is documented`];
    const problems: string[] = [];
    const declared = Object.fromEntries(Object.entries(documented.headers ?? {}).map(([name, h]) => [name.toLowerCase(), h]));
    for (const [name, h] of Object.entries(declared)) {
      if (h.required && r.headers[name] === undefined) problems.push(`${label}: required header ${name} is missing`);
    }
    for (const [name, value] of Object.entries(r.headers)) {
      if (isTransportHeader(name)) continue;
      const h = declared[name];
      if (!h) {
        problems.push(`${label}: header ${name} is not documented`);
        continue;
      }
      const validate = this.#validator(`${pointer}/headers/${escape(Object.keys(documented.headers ?? {}).find((n) => n.toLowerCase() === name) ?? name)}/schema`);
      if (validate && !validate(value)) problems.push(`${label}: header ${name}: ${JSON.stringify(value)} ${this.#ajv.errorsText(validate.errors)}`);
    }
    const content = documented.content?.['application/json'];
    if (r.method === 'HEAD') return problems;
    if (!content) {
      if (r.body !== undefined) problems.push(`${label}: has a body, but none is documented`);
      return problems;
    }
    if (!(r.headers['content-type'] ?? '').startsWith('application/json')) problems.push(`${label}: content-type ${r.headers['content-type']} is not application/json`);
    let body: unknown;
    try {
      body = JSON.parse(r.body ?? '');
    } catch {
      return [...problems, `${label}: body is not JSON: ${(r.body ?? '').slice(0, 200)}`];
    }
    const validate = this.#validator(`${pointer}/content/application~1json/schema`);
    if (validate && !validate(body)) problems.push(`${label}: body ${this.#ajv.errorsText(validate.errors)}: ${(r.body ?? '').slice(0, 300)}`);
    return problems;
  }

  #validator(pointer: string): ValidateFunction | undefined {
    const ref = `openapi.json${pointer}`;
    let validate = this.#validators.get(ref);
    if (!validate) {
      validate = this.#ajv.compile({ $ref: ref });
      this.#validators.set(ref, validate);
    }
    return validate;
  }
}

/**
 * The refusals that come before any operation runs, and that every operation's `4XX` documents: a
 * method the path does not list (405), and a body, even where the operation expects none, that is
 * malformed (400 BAD_REQUEST), too large (413) or not JSON (415).
 */
function refusedBeforeTheOperation(r: SentResponse, methodListed: boolean): boolean {
  if (r.status === 405) return !methodListed;
  let code: unknown;
  try {
    code = (JSON.parse(r.body ?? '') as { error?: { code?: unknown } }).error?.code;
  } catch {
    return false;
  }
  return (r.status === 400 && code === 'BAD_REQUEST') || (r.status === 413 && code === 'PAYLOAD_TOO_LARGE') || (r.status === 415 && code === 'UNSUPPORTED_MEDIA_TYPE');
}

/** A JSON Pointer segment, in a URI fragment. */
const escape = (segment: string) => encodeURIComponent(segment.replaceAll('~', '~0').replaceAll('/', '~1'));

/** The server's own document. */
export async function servedDocument(server: TestServer): Promise<unknown> {
  const res = await fetch(`${server.url}/api/v1/openapi.json`);
  expect(res.status).toBe(200);
  return res.json();
}

/**
 * For the end of an integration test file: every /api/v1 response the file's
 * server sent matches the document. Returns how many were checked.
 */
export async function expectResponsesMatchDocument(server: TestServer): Promise<number> {
  const checker = new ResponseChecker(await servedDocument(server));
  const checked = server.responses.filter((r) => r.route?.startsWith('/api/v1/') && !r.route.startsWith('/api/v1/docs') && r.route !== '/api/v1/openapi.json');
  expect(checked.flatMap((r) => checker.problems(r))).toEqual([]);
  return checked.length;
}
