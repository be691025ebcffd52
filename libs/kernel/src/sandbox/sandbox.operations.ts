import { Inject, Injectable, type OnModuleInit } from '@nestjs/common';
import {
  globalOperation,
  InvalidArgumentError,
  OPERATION_REGISTRY,
  type OperationRegistry,
} from '@sandboxed/plugin-sdk';
import { CreateSandboxInput, ListSandboxesInput, SandboxDto, SandboxIdInput, SandboxListDto } from './sandbox.dto.js';
import { SandboxService } from './sandbox.service.js';

function parseSelector(raw: string | undefined): Record<string, string> | undefined {
  if (!raw) return undefined;
  const out: Record<string, string> = {};
  for (const pair of raw.split(',')) {
    const eq = pair.indexOf('=');
    if (eq <= 0) throw new InvalidArgumentError(`labels: "${pair}" is not key=value`);
    out[pair.slice(0, eq).trim()] = pair.slice(eq + 1).trim();
  }
  return out;
}

/** The kernel's own operations: the sandbox lifecycle. */
@Injectable()
export class SandboxOperations implements OnModuleInit {
  constructor(
    @Inject(OPERATION_REGISTRY) private readonly registry: OperationRegistry,
    private readonly sandboxes: SandboxService,
  ) {}

  onModuleInit(): void {
    const s = this.sandboxes;
    this.registry.register(
      globalOperation({
        id: 'sandbox.create',
        summary: 'Create a sandbox',
        description: 'Creates an isolated sandbox owned by the caller and returns it once it is ready for commands.',
        input: CreateSandboxInput,
        output: SandboxDto,
        hints: { readOnly: false, destructive: false, idempotent: false },
        http: { method: 'POST', path: 'sandboxes', status: 201 },
        handler: async (ctx, input) => s.toDto(await s.create(ctx.principal, input)),
      }),
    );
    this.registry.register(
      globalOperation({
        id: 'sandbox.list',
        summary: 'List your sandboxes',
        description: 'Lists the caller’s live sandboxes, optionally filtered by labels.',
        input: ListSandboxesInput,
        output: SandboxListDto,
        hints: { readOnly: true, idempotent: true },
        http: { method: 'GET', path: 'sandboxes' },
        handler: async (ctx, input) => {
          const list = (await s.list(ctx.principal, parseSelector(input.labels))).map((i) => s.toDto(i));
          return { sandboxes: list, count: list.length };
        },
      }),
    );
    this.registry.register(
      globalOperation({
        id: 'sandbox.get',
        summary: 'Get a sandbox',
        description: 'Returns one of the caller’s sandboxes. Another tenant’s sandbox is reported as not found.',
        input: SandboxIdInput,
        output: SandboxDto,
        hints: { readOnly: true, idempotent: true },
        http: { method: 'GET', path: 'sandboxes/{id}' },
        handler: async (ctx, input) => s.toDto(await s.getOwned(ctx.principal, input.id)),
      }),
    );
    this.registry.register(
      globalOperation({
        id: 'sandbox.delete',
        summary: 'Delete a sandbox',
        description: 'Destroys the sandbox and everything in it.',
        input: SandboxIdInput,
        hints: { destructive: true, idempotent: false },
        http: { method: 'DELETE', path: 'sandboxes/{id}', status: 204 },
        handler: async (ctx, input) => {
          await s.delete(ctx.principal, input.id);
        },
      }),
    );
  }
}
