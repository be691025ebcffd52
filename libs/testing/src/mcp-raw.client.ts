import { readSse } from './sse.reader.js';

export interface RawMcpReply {
  status: number;
  headers: Headers;
  /** JSON-RPC messages in the response: the JSON body, or each SSE `data` of a stream. */
  messages: any[];
}

const ACCEPT = 'application/json, text/event-stream';

/** JSON-RPC over MCP streamable HTTP by hand, for what the SDK client never sends (bad JSON, no session). */
export class RawMcpHttp {
  sessionId?: string;

  constructor(
    readonly url: string,
    private readonly headers: Record<string, string> = {},
  ) {}

  async post(body: unknown, headers: Record<string, string> = {}): Promise<RawMcpReply> {
    const res = await fetch(this.url, {
      method: 'POST',
      headers: {
        accept: ACCEPT,
        'content-type': 'application/json',
        ...(this.sessionId ? { 'mcp-session-id': this.sessionId } : {}),
        ...this.headers,
        ...headers,
      },
      body: typeof body === 'string' ? body : JSON.stringify(body),
    });
    return { status: res.status, headers: res.headers, messages: await messagesOf(res) };
  }

  /** Initializes a session (asking for `protocolVersion`) and remembers its id for later posts. */
  async initialize(protocolVersion = '2025-06-18'): Promise<RawMcpReply> {
    const reply = await this.post({
      jsonrpc: '2.0',
      id: 0,
      method: 'initialize',
      params: { protocolVersion, capabilities: {}, clientInfo: { name: 'raw', version: '0' } },
    });
    this.sessionId = reply.headers.get('mcp-session-id') ?? undefined;
    if (this.sessionId) await this.post({ jsonrpc: '2.0', method: 'notifications/initialized' });
    return reply;
  }
}

async function messagesOf(res: Response): Promise<any[]> {
  const type = res.headers.get('content-type') ?? '';
  if (type.includes('text/event-stream')) {
    const out: any[] = [];
    for await (const e of readSse(res)) out.push(e.data);
    return out;
  }
  const text = await res.text();
  if (!text) return [];
  try {
    return [JSON.parse(text)];
  } catch {
    return [text];
  }
}
