interface Waiter {
  match: (message: any) => boolean;
  resolve: (message: any) => void;
  reject: (err: Error) => void;
}

const SEPARATOR = '\n\n';

/**
 * The legacy MCP HTTP+SSE transport by hand: `GET /sse` opened with the given headers, JSON-RPC
 * posted to the endpoint it announces, replies read off the stream as they arrive.
 */
export class RawMcpSse {
  /** Every JSON-RPC message the stream carried, with the time it arrived. */
  readonly messages: Array<{ message: any; at: number }> = [];
  /** Resolves with the time the stream ended (the server closed it). */
  readonly ended: Promise<number>;
  private readonly waiters = new Set<Waiter>();

  private constructor(
    private readonly baseUrl: string,
    readonly endpoint: string,
    reader: ReadableStreamDefaultReader<Uint8Array>,
    buffered: string,
    private readonly headers: Record<string, string>,
    private readonly abort: AbortController,
  ) {
    this.ended = this.read(reader, buffered);
  }

  /** Opens the stream and waits for its endpoint event; throws with the status when the server refuses. */
  static async open(baseUrl: string, headers: Record<string, string> = {}, profile?: string): Promise<RawMcpSse> {
    const abort = new AbortController();
    const res = await fetch(`${baseUrl}/sse${profile ? `/${profile}` : ''}`, {
      headers: { accept: 'text/event-stream', ...headers },
      signal: abort.signal,
    });
    if (res.status !== 200) throw Object.assign(new Error(`GET /sse answered ${res.status}`), { status: res.status });
    const reader = res.body!.getReader();
    const decoder = new TextDecoder();
    let buf = '';
    for (;;) {
      const end = buf.indexOf(SEPARATOR);
      if (end >= 0) {
        const endpoint = /^event: endpoint\ndata: (\S+)/.exec(buf.slice(0, end))?.[1];
        if (!endpoint) throw new Error(`The stream did not start with an endpoint event: ${buf.slice(0, end)}`);
        return new RawMcpSse(baseUrl, endpoint, reader, buf.slice(end + SEPARATOR.length), headers, abort);
      }
      const { done, value } = await reader.read();
      if (done) throw new Error('The stream ended before its endpoint event');
      buf += decoder.decode(value, { stream: true });
    }
  }

  /** POSTs one message to the session's endpoint; resolves with the HTTP status (202 when accepted). */
  async post(body: unknown, headers: Record<string, string> = this.headers): Promise<number> {
    const res = await fetch(`${this.baseUrl}${this.endpoint}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...headers },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    await res.arrayBuffer();
    return res.status;
  }

  /** The first message (already received or still to come) that matches; rejects if the stream ends first. */
  next(match: (message: any) => boolean): Promise<any> {
    const seen = this.messages.find((m) => match(m.message));
    if (seen) return Promise.resolve(seen.message);
    return new Promise((resolve, reject) => this.waiters.add({ match, resolve, reject }));
  }

  /** Initializes the session (initialize, then notifications/initialized) and returns the initialize result. */
  async initialize(protocolVersion = '2025-06-18'): Promise<any> {
    await this.post({
      jsonrpc: '2.0',
      id: '__init',
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw-sse', version: '0' } },
    });
    const reply = await this.next((m) => m.id === '__init');
    await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return reply;
  }

  close(): void {
    this.abort.abort();
  }

  private async read(reader: ReadableStreamDefaultReader<Uint8Array>, buffered: string): Promise<number> {
    const decoder = new TextDecoder();
    let buf = buffered;
    try {
      for (;;) {
        let end: number;
        while ((end = buf.indexOf(SEPARATOR)) >= 0) {
          const data = buf
            .slice(0, end)
            .split('\n')
            .filter((line) => line.startsWith('data: '))
            .map((line) => line.slice(6));
          buf = buf.slice(end + SEPARATOR.length);
          if (data.length) this.deliver(JSON.parse(data.join('\n')));
        }
        const { done, value } = await reader.read();
        if (done) break;
        buf += decoder.decode(value, { stream: true });
      }
    } catch {
      // Aborted by close(), or the connection dropped: either way the stream is over.
    }
    for (const w of this.waiters) w.reject(new Error('The SSE stream ended before a matching message'));
    this.waiters.clear();
    return Date.now();
  }

  private deliver(message: any): void {
    this.messages.push({ message, at: Date.now() });
    for (const w of this.waiters) {
      if (!w.match(message)) continue;
      this.waiters.delete(w);
      w.resolve(message);
    }
  }
}
