import type CDP from 'chrome-remote-interface';

type Callback = (error: unknown, response: unknown) => void;

/**
 * A CDP command through chrome-remote-interface's callback form. Its promise form decides between a
 * socket error and a protocol error with `instanceof Error`, which fails for errors made in another
 * realm (Node's own socket errors under a test runner's VM context) and then throws inside the
 * library. Here a protocol error becomes an Error carrying `response`, anything else passes as is.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function sendCdp(client: CDP.Client, method: string, params: object = {}, sessionId?: string): Promise<any> {
  const send = client.send as unknown as (m: string, p: object, s: string | undefined, cb: Callback) => void;
  return new Promise((resolve, reject) => {
    const callback: Callback = (error, response) => {
      if (!error) return resolve(response);
      if (error === true) {
        const r = response as { message?: string; data?: string } | undefined;
        return reject(Object.assign(new Error(r?.message ?? `CDP ${method} failed`), { response: r ?? {} }));
      }
      reject(error);
    };
    // It picks its optional arguments by type, so an undefined sessionId is simply absent.
    send.call(client, method, params, sessionId, callback);
  });
}
