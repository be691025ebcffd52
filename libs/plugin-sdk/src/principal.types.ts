/** Who is calling. `id` owns sandboxes; `scopes` gate operations (`*` grants all). */
export interface Principal {
  readonly id: string;
  readonly scopes: readonly string[];
  /**
   * When the credentials stop being accepted, in epoch milliseconds: a token's `exp` plus the
   * configured clock tolerance. Sessions opened with them (WebSockets, streams) end then; see
   * `onCredentialsExpiry`. Unset for credentials that do not expire (API keys, dev mode).
   */
  readonly expiresAt?: number;
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.includes('*') || principal.scopes.includes(scope);
}
