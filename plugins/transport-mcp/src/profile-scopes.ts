import { requiredScopeOf, type OperationRegistry } from '@sandboxed/plugin-sdk';
import type { ToolSet } from './tool.set.js';

/** The scopes a profile's tools need, one per operation they call, sorted: what a token for that endpoint asks for. */
export function profileScopes(set: ToolSet, registry: OperationRegistry): string[] {
  const opIds = set.definitions().flatMap((d) => set.get(d.name)?.operations ?? []);
  const ops = opIds.map((id) => registry.get(id)).filter((op) => op !== undefined);
  return [...new Set(ops.map((op) => requiredScopeOf(op)))].sort();
}
