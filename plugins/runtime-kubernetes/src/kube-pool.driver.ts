import { randomBytes } from 'node:crypto';
import { PatchStrategy, setHeaderOptions, type V1Pod } from '@kubernetes/client-node';
import {
  assertValidSandboxId,
  poolSeedSpec,
  type PoolFillSpec,
  type PoolMember,
  type SandboxedError,
  type SandboxInfo,
  type SandboxPoolDriver,
  type SandboxSpec,
  type SandboxStatus,
} from '@sandboxed/plugin-sdk';
import type { KubeClient } from './kube-client.factory.js';
import { statusOf } from './kube-error.mapper.js';
import type { KubernetesRuntimeOptions } from './kubernetes-runtime.options.js';
import { ANNOTATIONS, decodePod, LABELS, MANAGED_BY, type SandboxRecord } from './pod-labels.codec.js';
import { buildPod } from './pod-spec.builder.js';
import {
  claimPatch,
  isUnclaimedMember,
  memberHandle,
  memberMetadata,
  parseHandle,
  POOL_NAME_LABEL,
  poolPodName,
} from './pool-pod.codec.js';

/** What the pool driver borrows from KubernetesRuntime. */
export interface KubePoolHost {
  client: KubeClient;
  options: KubernetesRuntimeOptions;
  call<T>(work: Promise<T>, what: string): Promise<T>;
  mapError(err: unknown): SandboxedError;
  /** Creates the pod and resolves with it once ready (deleting it and throwing when it cannot start). */
  startPod(body: V1Pod, template: string): Promise<V1Pod>;
  readPod(name: string): Promise<V1Pod | undefined>;
  statusOf(pod: V1Pod): SandboxStatus;
  /** Records that sandbox `id` lives in pod `name` (a claimed member keeps its pod name). */
  remember(id: string, name: string): void;
  toInfo(record: SandboxRecord, status: SandboxStatus): SandboxInfo;
}

/** A stale handle is retried once at the member's current resourceVersion when it is still unclaimed. */
const ATTEMPTS = 2;

/**
 * Warm pools on Kubernetes (pool-pod.codec.ts): a claim is one merge patch with a resourceVersion
 * precondition, a recycle one delete with the same precondition, so the API server decides every
 * race between replicas.
 */
export class KubePoolDriver implements SandboxPoolDriver {
  constructor(private readonly host: KubePoolHost) {}

  private get namespace(): string {
    return this.host.options.namespace;
  }

  templates(): string[] {
    return Object.keys(this.host.options.templates);
  }

  async fill(spec: PoolFillSpec): Promise<PoolMember> {
    const key = randomBytes(16).toString('hex');
    const createdAt = new Date();
    const template = this.host.options.templates[spec.template];
    if (!template || !Object.hasOwn(this.host.options.templates, spec.template)) {
      throw new Error(`runtime-kubernetes has no template "${spec.template}"`);
    }
    const seed = poolSeedSpec(key, spec);
    const cold = buildPod(seed, template, this.host.options, createdAt);
    const pod = await this.host.startPod(
      { ...cold, metadata: memberMetadata(cold, key, this.namespace) },
      spec.template,
    );
    return { key: memberHandle(pod), template: spec.template, createdAt, status: 'running' };
  }

  async members(): Promise<PoolMember[]> {
    let items: V1Pod[];
    try {
      const list = await this.host.call(
        this.host.client.core.listNamespacedPod({
          namespace: this.namespace,
          labelSelector: `${LABELS.managedBy}=${MANAGED_BY},${LABELS.name}=${POOL_NAME_LABEL}`,
        }),
        'list pods',
      );
      items = list.items;
    } catch (err) {
      throw this.host.mapError(err);
    }
    return items.filter(isUnclaimedMember).map((pod) => {
      const createdAt = new Date(pod.metadata?.annotations?.[ANNOTATIONS.createdAt] ?? '');
      return {
        key: memberHandle(pod),
        template: pod.metadata?.labels?.[LABELS.template] ?? '',
        createdAt: Number.isNaN(createdAt.getTime()) ? new Date(pod.metadata?.creationTimestamp ?? 0) : createdAt,
        status: this.host.statusOf(pod),
      };
    });
  }

  async claim(handle: string, spec: SandboxSpec): Promise<SandboxInfo | undefined> {
    assertValidSandboxId(spec.id);
    let member = parseHandle(handle);
    if (!member) return undefined;
    const name = poolPodName(member.key);
    for (let attempt = 1; ; attempt++) {
      let pod: V1Pod;
      try {
        pod = await this.host.call(
          this.host.client.core.patchNamespacedPod(
            { name, namespace: this.namespace, body: claimPatch(spec, member.resourceVersion, new Date()) },
            setHeaderOptions('Content-Type', PatchStrategy.MergePatch),
          ),
          'patch pod',
        );
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) return undefined;
        if (status !== 409) throw this.host.mapError(err);
        member = attempt < ATTEMPTS ? await this.stillUnclaimed(name) : undefined;
        if (!member) return undefined;
        continue;
      }
      const record = decodePod(pod);
      if (!record || record.id !== spec.id) throw new Error(`claim of pool pod ${name} left no readable record`);
      this.host.remember(spec.id, name);
      return this.host.toInfo(record, this.host.statusOf(pod));
    }
  }

  async recycle(handle: string): Promise<boolean> {
    let member = parseHandle(handle);
    if (!member) return false;
    const name = poolPodName(member.key);
    for (let attempt = 1; ; attempt++) {
      try {
        await this.host.call(
          this.host.client.core.deleteNamespacedPod({
            name,
            namespace: this.namespace,
            gracePeriodSeconds: 0,
            body: { gracePeriodSeconds: 0, preconditions: { resourceVersion: member.resourceVersion } },
          }),
          'delete pod',
        );
        return true;
      } catch (err) {
        const status = statusOf(err);
        if (status === 404) return false;
        if (status !== 409) throw this.host.mapError(err);
        member = attempt < ATTEMPTS ? await this.stillUnclaimed(name) : undefined;
        if (!member) return false;
      }
    }
  }

  /** The member's current handle when it is still unclaimed (the kubelet moved its resourceVersion on). */
  private async stillUnclaimed(name: string): Promise<{ key: string; resourceVersion: string } | undefined> {
    const pod = await this.host.readPod(name);
    return isUnclaimedMember(pod) ? parseHandle(memberHandle(pod!)) : undefined;
  }
}
