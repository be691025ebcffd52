import { request } from 'node:http';

export interface DevtoolsVersion {
  /** Path of the browser-level endpoint, `/devtools/browser/<id>`. */
  browserPath: string;
  product: string;
}

/**
 * `GET /json/version` through the bridge socket: the browser-level DevTools path, or undefined when
 * nothing answers. DevTools answers only requests whose Host is an IP or localhost.
 */
export function probeDevtools(socketPath: string, timeoutMs: number): Promise<DevtoolsVersion | undefined> {
  return new Promise((resolve) => {
    const req = request(
      { socketPath, path: '/json/version', headers: { host: '127.0.0.1' }, timeout: timeoutMs },
      (res) => {
        let body = '';
        res.setEncoding('utf8');
        res.on('data', (chunk: string) => {
          body += chunk;
          if (body.length > 64 * 1024) req.destroy();
        });
        res.on('end', () => {
          try {
            const info = JSON.parse(body) as { webSocketDebuggerUrl?: string; Browser?: string };
            const path = info.webSocketDebuggerUrl ? new URL(info.webSocketDebuggerUrl).pathname : '';
            resolve(
              path.startsWith('/devtools/browser/') ? { browserPath: path, product: info.Browser ?? '' } : undefined,
            );
          } catch {
            resolve(undefined);
          }
        });
        res.on('error', () => resolve(undefined));
      },
    );
    req.on('timeout', () => req.destroy());
    req.on('error', () => resolve(undefined));
    req.end();
  });
}
