import type {
  OperationDefinition,
  OperationContext,
  SandboxOperationContext,
  OperationEvent,
  Class,
  OperationHints,
  HttpBinding,
  OperationMedia,
} from './operation.types.js';

interface Common<I extends object> {
  id: string;
  summary: string;
  description?: string;
  input: Class<I>;
  hints?: OperationHints;
  requiredScope?: string;
  http?: HttpBinding;
}

/** Typed builders: they only help inference; the registry accepts the plain object too. */
export function sandboxOperation<I extends object, O extends object | void>(
  op: Common<I> & {
    output?: Class<O> | 'binary';
    media?: (output: O) => OperationMedia;
    handler(ctx: SandboxOperationContext, input: I): Promise<O>;
  },
): OperationDefinition<I, O> {
  return { ...op, scope: 'sandbox', stream: false };
}

export function globalOperation<I extends object, O extends object | void>(
  op: Common<I> & { output?: Class<O> | 'binary'; handler(ctx: OperationContext, input: I): Promise<O> },
): OperationDefinition<I, O> {
  return { ...op, scope: 'global', stream: false };
}

export function sandboxStreamOperation<I extends object>(
  op: Common<I> & { events?: string[]; handler(ctx: SandboxOperationContext, input: I): AsyncIterable<OperationEvent> },
): OperationDefinition<I> {
  return { ...op, scope: 'sandbox', stream: true };
}

/** The auth scope an operation needs: its `requiredScope`, else `sandbox:read` for read-only ops and `sandbox:write` otherwise. */
export function requiredScopeOf(op: Pick<OperationDefinition, 'requiredScope' | 'hints'>): string {
  return op.requiredScope ?? (op.hints?.readOnly ? 'sandbox:read' : 'sandbox:write');
}
