/** Who is calling. `id` owns sandboxes; `scopes` gate operations (`*` grants all). */
export interface Principal {
  readonly id: string;
  readonly scopes: readonly string[];
}

export function hasScope(principal: Principal, scope: string): boolean {
  return principal.scopes.includes('*') || principal.scopes.includes(scope);
}
