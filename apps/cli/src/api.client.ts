/** A REST client for the gateway: `SANDBOXED_URL`, and `SANDBOXED_TOKEN` (JWT or API key) when auth is on. */
export class ApiClient {
  constructor(
    readonly baseUrl: string,
    private readonly token?: string,
  ) {}

  static fromEnv(env: NodeJS.ProcessEnv = process.env): ApiClient {
    return new ApiClient((env.SANDBOXED_URL ?? 'http://127.0.0.1:8080').replace(/\/+$/, ''), env.SANDBOXED_TOKEN);
  }

  async call<T = unknown>(method: string, path: string, body?: unknown): Promise<T> {
    let res: Response;
    try {
      res = await fetch(`${this.baseUrl}${path}`, {
        method,
        headers: {
          ...(body === undefined ? {} : { 'content-type': 'application/json' }),
          ...(this.token ? { authorization: `Bearer ${this.token}` } : {}),
        },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new Error(
        `cannot reach the gateway at ${this.baseUrl} (${(err as Error).cause ?? (err as Error).message}); is it running? set SANDBOXED_URL`,
        { cause: err },
      );
    }
    const text = await res.text();
    const parsed: unknown = text ? JSON.parse(text) : undefined;
    if (!res.ok) {
      const error = (parsed as { error?: { message?: string } } | undefined)?.error;
      throw new Error(`${res.status}: ${error?.message ?? text}`);
    }
    return parsed as T;
  }
}
