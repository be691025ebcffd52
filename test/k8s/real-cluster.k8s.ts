/**
 * The runtime conformance suite against a real cluster (opt-in: `npm run test:k8s`, never part of
 * `npm test`). Needs KUBECONFIG, a namespace prepared like k8s/base (default `sandboxed`: PSS
 * restricted, the gateway's Role), and the python sandbox image where the cluster can pull it:
 *
 *   KUBECONFIG=~/.kube/config SANDBOXED_K8S_PYTHON_IMAGE=registry.example.com/sandboxed/python:1 npm run test:k8s
 *
 * Optional: SANDBOXED_K8S_NAMESPACE, SANDBOXED_K8S_CONTEXT, SANDBOXED_K8S_RUNTIME_CLASS (e.g. gvisor).
 */
import { describe, it } from '@jest/globals';
import { runtimeConformanceSuite } from '@sandboxed/testing';
import { KubernetesRuntime, resolveKubernetesRuntimeOptions } from '@sandboxed/runtime-kubernetes';

const env = process.env;
const kubeconfig = env.KUBECONFIG;

function newRuntime(): KubernetesRuntime {
  return new KubernetesRuntime(
    resolveKubernetesRuntimeOptions({
      kubeconfig: kubeconfig!,
      ...(env.SANDBOXED_K8S_CONTEXT ? { context: env.SANDBOXED_K8S_CONTEXT } : {}),
      namespace: env.SANDBOXED_K8S_NAMESPACE ?? 'sandboxed',
      ...(env.SANDBOXED_K8S_RUNTIME_CLASS ? { runtimeClassName: env.SANDBOXED_K8S_RUNTIME_CLASS } : {}),
      readyTimeoutMs: 180_000,
      templates: { python: { image: env.SANDBOXED_K8S_PYTHON_IMAGE ?? 'sandboxed/python:local' } },
    }),
    { log: (m) => console.log(m), warn: (m) => console.warn(m) },
  );
}

if (!kubeconfig) {
  describe('kubernetes runtime on a real cluster', () => {
    it('needs KUBECONFIG', () => {
      throw new Error('npm run test:k8s runs against a real cluster: set KUBECONFIG (docs/kubernetes.md)');
    });
  });
} else {
  runtimeConformanceSuite(`kubernetes (real cluster, ${kubeconfig})`, {
    create: async () => {
      const runtime = newRuntime();
      await runtime.ensureNetworkPolicies();
      return runtime;
    },
    restart: async () => newRuntime(),
    spec: { template: 'python' },
  });
}
