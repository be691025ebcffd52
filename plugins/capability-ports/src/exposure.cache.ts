/**
 * Remembers, for a short while, that a port is exposed, so a page load through the proxy does
 * not ask the sandbox once per asset. Only "exposed" is cached, and unexposing here forgets it;
 * another replica notices an unexpose within `ttlMs`.
 */
export class ExposureCache {
  private readonly until = new Map<string, number>();

  constructor(private readonly ttlMs: number) {}

  has(sandboxId: string, port: number, now = Date.now()): boolean {
    const key = `${sandboxId}:${port}`;
    const expiry = this.until.get(key);
    if (expiry !== undefined && expiry <= now) this.until.delete(key);
    return expiry !== undefined && expiry > now;
  }

  remember(sandboxId: string, port: number, now = Date.now()): void {
    if (this.ttlMs <= 0) return;
    if (this.until.size > 10_000) this.until.clear();
    this.until.set(`${sandboxId}:${port}`, now + this.ttlMs);
  }

  forget(sandboxId: string, port: number): void {
    this.until.delete(`${sandboxId}:${port}`);
  }
}
