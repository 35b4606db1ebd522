import { http, HttpResponse } from 'msw';
import { setupServer } from 'msw/node';
import { afterAll, afterEach, beforeAll } from 'vitest';
import type { ProviderCallContext, TaskRecord } from '../provider-v1.js';

/** Answers the n-th call to a handled url: `call` counts them from 1. */
export type Answer = (call: number, request: Request) => Response | Promise<Response>;

/** A file sent in a multipart body. */
export interface FilePart {
  field: string;
  filename: string;
  type: string;
  bytes: number[];
}

/** Everything a vendor test may assert about one request. */
export interface VendorCall {
  method: string;
  url: string;
  /** The pathname, without the query. */
  path: string;
  /** The query with its `?`, or ''. */
  search: string;
  query: Record<string, string>;
  /** Every header, to show that no key travels in one. */
  headers: Record<string, string>;
  authorization: string | null;
  contentType: string | null;
  /** The body as JSON when it parses, else as text; undefined when empty. */
  body: unknown;
  /** The parsed body of an `application/json` request. */
  json?: unknown;
  /** The parts of a `multipart/form-data` request, as sent and split into text fields and files. */
  form?: FormData;
  fields?: Record<string, string>;
  files?: FilePart[];
}

/**
 * One msw server for a vendor adapter test file: unhandled requests fail the test, every handled request
 * is recorded in `calls` and, as `METHOD /path`, in `timeline` (where tests may add their own entries).
 * `record` picks what a file keeps of each call, so its assertions see the shape they were written for.
 * Registers its vitest hooks, so call it at the top of a file or a describe.
 */
export function useVendorServer<Call = VendorCall>(record: (call: VendorCall) => Call = (call) => call as Call) {
  const server = setupServer();
  const calls: Call[] = [];
  /** Requests, and whatever else the test adds, in the order they happened. */
  const timeline: string[] = [];

  function reset() {
    server.resetHandlers();
    calls.length = 0;
    timeline.length = 0;
  }

  /** Answers `method url` with `answers[n]` on the n-th call (the last one repeats), recording every call. */
  function handle(method: 'get' | 'post' | 'put' | 'patch' | 'delete', url: string, ...answers: Answer[]) {
    let count = 0;
    server.use(
      http[method](url, async ({ request }) => {
        const call = await recordCall(request);
        calls.push(record(call));
        timeline.push(`${call.method} ${call.path}`);
        count++;
        return answers[Math.min(count, answers.length) - 1]!(count, request);
      }),
    );
  }

  beforeAll(() => server.listen({ onUnhandledRequest: 'error' }));
  afterEach(reset);
  afterAll(() => server.close());

  return { server, calls, timeline, handle, reset };
}

async function recordCall(request: Request): Promise<VendorCall> {
  const parsed = new URL(request.url);
  const contentType = request.headers.get('content-type');
  const text = await request.clone().text();
  const call: VendorCall = {
    method: request.method,
    url: request.url,
    path: parsed.pathname,
    search: parsed.search,
    query: Object.fromEntries(parsed.searchParams),
    headers: Object.fromEntries(request.headers),
    authorization: request.headers.get('authorization'),
    contentType,
    body: text === '' ? undefined : jsonOrText(text),
  };
  if (contentType?.startsWith('application/json')) call.json = JSON.parse(text);
  if (contentType?.startsWith('multipart/form-data')) {
    call.form = await request.clone().formData();
    call.fields = {};
    call.files = [];
    for (const [field, value] of call.form) {
      if (typeof value === 'string') call.fields[field] = value;
      else call.files.push({ field, filename: value.name, type: value.type, bytes: [...new Uint8Array(await value.arrayBuffer())] });
    }
  }
  return call;
}

function jsonOrText(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

/** A JSON answer. */
export const json =
  (body: unknown, status = 200, headers: Record<string, string> = {}): Answer =>
  () =>
    HttpResponse.json(body as Record<string, unknown>, { status, headers });

/**
 * A call context as the engine hands it to an adapter, recording what the adapter reports: the task
 * records (also as `recordTask <id>` in `timeline`, to check they come before any polling) and statuses.
 */
export function recordingContext(timeline: string[]): { context: ProviderCallContext; recorded: TaskRecord[]; statuses: string[] } {
  const recorded: TaskRecord[] = [];
  const statuses: string[] = [];
  const context: ProviderCallContext = {
    signal: new AbortController().signal,
    recordTask: async (task) => {
      recorded.push(task);
      timeline.push(`recordTask ${task.taskId}`);
    },
    reportStatus: (status) => statuses.push(status),
  };
  return { context, recorded, statuses };
}
