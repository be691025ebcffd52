import { runtimeConformanceSuite } from '@sandboxed/testing';
import { DockerRuntime } from './docker.runtime.js';
import { resolveDockerRuntimeOptions } from './docker-runtime-options.dto.js';
import { describeWithDocker, dockerUnavailableReason, quietLogger } from './docker-engine.spec-helper.js';

const reason = await dockerUnavailableReason();

function newRuntime(): DockerRuntime {
  return new DockerRuntime(resolveDockerRuntimeOptions({}), quietLogger);
}

describeWithDocker('DockerRuntime', reason, () => {
  // The suite's connect test serves with `python3 -m http.server`, so it runs on the python template.
  runtimeConformanceSuite('docker', {
    async create() {
      return newRuntime();
    },
    async restart() {
      return newRuntime();
    },
    spec: { template: 'python' },
  });
});
