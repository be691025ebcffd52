/** Injection token of the resolved PortsOptions. */
export const PORTS_OPTIONS = Symbol('sandboxed.capability-ports.options');
