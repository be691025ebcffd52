import { Injectable } from '@nestjs/common';
import type { OperationDefinition, OperationRegistry } from '@sandboxed/plugin-sdk';

const OPERATION_ID = /^[a-z][a-zA-Z0-9]*(\.[a-z][a-zA-Z0-9]*)+$/;

@Injectable()
export class InMemoryOperationRegistry implements OperationRegistry {
  private readonly ops = new Map<string, OperationDefinition>();

  register(op: OperationDefinition): void {
    if (!OPERATION_ID.test(op.id)) throw new Error(`Operation id "${op.id}" must look like area.verb`);
    if (this.ops.has(op.id)) throw new Error(`Duplicate operation id "${op.id}"`);
    if (typeof op.input !== 'function') throw new Error(`Operation "${op.id}" needs an input DTO class`);
    this.ops.set(op.id, op);
  }

  get(id: string): OperationDefinition | undefined {
    return this.ops.get(id);
  }

  list(): OperationDefinition[] {
    return [...this.ops.values()];
  }
}
