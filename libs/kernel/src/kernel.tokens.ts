/** Kernel-internal tokens (not part of the plugin SDK). */
export const GATEWAY_CONFIG = Symbol.for('sandboxed.GatewayConfig');
