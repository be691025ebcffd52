import type { OpenApiResponseValidator } from './openapi-response.validator.js';

/** A small JSON client for tests: real HTTP over fetch (undici), keep-alive. */
export interface HttpResult<T = unknown> {
  status: number;
  headers: Headers;
  body: T;
}

export class HttpClient {
  constructor(
    readonly baseUrl: string,
    private readonly headers: Record<string, string> = {},
    private readonly validator?: OpenApiResponseValidator,
  ) {}

  withHeaders(headers: Record<string, string>): HttpClient {
    return new HttpClient(this.baseUrl, { ...this.headers, ...headers }, this.validator);
  }

  /**
   * The same client, checking every response against `/openapi.json` (see OpenApiResponseValidator):
   * a response the document does not declare fails the request, and so the test.
   */
  validatingResponses(validator: OpenApiResponseValidator): HttpClient {
    return new HttpClient(this.baseUrl, this.headers, validator);
  }

  async request<T = any>(
    method: string,
    path: string,
    body?: unknown,
    headers: Record<string, string> = {},
  ): Promise<HttpResult<T>> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: { ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...this.headers, ...headers },
      body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
    });
    const text = await res.text();
    let parsed: unknown = text;
    if ((res.headers.get('content-type') ?? '').includes('application/json') && text) parsed = JSON.parse(text);
    const problems = this.validator?.problems(method, path, res.status, res.headers.get('content-type'), parsed) ?? [];
    if (problems.length > 0) {
      throw new Error(`${method} ${path}: the response is not what /openapi.json declares:\n${problems.join('\n')}`);
    }
    return { status: res.status, headers: res.headers, body: parsed as T };
  }

  get<T = any>(path: string): Promise<HttpResult<T>> {
    return this.request<T>('GET', path);
  }

  post<T = any>(path: string, body: unknown = {}): Promise<HttpResult<T>> {
    return this.request<T>('POST', path, body);
  }

  delete<T = any>(path: string): Promise<HttpResult<T>> {
    return this.request<T>('DELETE', path);
  }

  /** Creates a sandbox and returns its id; fails the test on any other status. */
  async createSandbox(body: Record<string, unknown> = {}): Promise<string> {
    const res = await this.post<{ id: string }>('/v1/sandboxes', body);
    if (res.status !== 201) throw new Error(`create sandbox: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id;
  }
}
