import Docker from 'dockerode';

export interface DockerClient {
  docker: Docker;
  /** Where the engine is expected, for error messages: a socket path or a DOCKER_HOST URL. */
  endpoint: string;
}

/** `socketPath` if given, else DOCKER_HOST (handled by docker-modem), else /var/run/docker.sock. */
export function createDockerClient(socketPath?: string): DockerClient {
  if (socketPath) return { docker: new Docker({ socketPath }), endpoint: socketPath };
  const host = process.env.DOCKER_HOST;
  return { docker: new Docker(), endpoint: host ? host : '/var/run/docker.sock' };
}
