import { existsSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { CoreV1Api, Exec, KubeConfig, NetworkingV1Api, PortForward, Watch } from '@kubernetes/client-node';
import type { KubernetesRuntimeOptions } from './kubernetes-runtime.options.js';

export interface KubeClient {
  config: KubeConfig;
  core: CoreV1Api;
  networking: NetworkingV1Api;
  exec: Exec;
  portForward: PortForward;
  watch: Watch;
  /** The API server's address, for error messages. */
  endpoint: string;
  /** Where the credentials came from, for logs. */
  source: string;
}

/** Loads credentials the way `kubeconfig` says (auto: KUBECONFIG, in-cluster, ~/.kube/config). */
export function loadKubeConfig(options: Pick<KubernetesRuntimeOptions, 'kubeconfig' | 'context'>): {
  config: KubeConfig;
  source: string;
} {
  const config = new KubeConfig();
  let source: string;
  const inCluster = (): void => {
    config.loadFromCluster();
    source = 'in-cluster service account';
  };
  const fromFile = (path: string): void => {
    if (!existsSync(path)) throw new Error(`runtime-kubernetes: kubeconfig ${path} does not exist`);
    config.loadFromFile(path);
    source = path;
  };
  const option = options.kubeconfig;
  if (option === 'in-cluster') inCluster();
  else if (option !== 'auto') fromFile(option);
  else if (process.env.KUBECONFIG) fromFile(process.env.KUBECONFIG.split(':')[0]!);
  else if (process.env.KUBERNETES_SERVICE_HOST) inCluster();
  else fromFile(join(homedir(), '.kube', 'config'));
  if (options.context) {
    if (!config.getContextObject(options.context)) {
      throw new Error(`runtime-kubernetes: the kubeconfig has no context "${options.context}"`);
    }
    config.setCurrentContext(options.context);
  }
  if (!config.getCurrentCluster()) throw new Error('runtime-kubernetes: the kubeconfig names no cluster');
  return { config, source: source! };
}

export function createKubeClient(options: Pick<KubernetesRuntimeOptions, 'kubeconfig' | 'context'>): KubeClient {
  const { config, source } = loadKubeConfig(options);
  return {
    config,
    core: config.makeApiClient(CoreV1Api),
    networking: config.makeApiClient(NetworkingV1Api),
    exec: new Exec(config),
    portForward: new PortForward(config, true),
    watch: new Watch(config),
    endpoint: config.getCurrentCluster()!.server,
    source,
  };
}
