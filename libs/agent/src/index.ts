export { AGENT_SOURCES, agentSourceHash, ensureAgentBinary } from './agent-binary.builder.js';
export type { AgentBinary } from './agent-binary.builder.js';
export { AGENT_DIR, AgentRoutedRuntime } from './agent-routed.runtime.js';
export type { AgentRoutingOptions } from './agent-routed.runtime.js';
export { AGENT_VERSION, MAX_PAYLOAD } from './agent.protocol.js';
export { OUTPUT_WINDOW, STDIN_WINDOW } from './agent-exec.session.js';
