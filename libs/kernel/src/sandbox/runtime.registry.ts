import { Injectable } from '@nestjs/common';
import type { RuntimeRegistry, SandboxRuntime } from '@sandboxed/plugin-sdk';

@Injectable()
export class InMemoryRuntimeRegistry implements RuntimeRegistry {
  private readonly runtimes = new Map<string, SandboxRuntime>();

  register(runtime: SandboxRuntime): void {
    if (this.runtimes.has(runtime.name)) throw new Error(`Runtime "${runtime.name}" is already registered`);
    this.runtimes.set(runtime.name, runtime);
  }

  get(name: string): SandboxRuntime | undefined {
    return this.runtimes.get(name);
  }

  names(): string[] {
    return [...this.runtimes.keys()];
  }
}
