/** Injection token of the resolved WsOptions. */
export const WS_OPTIONS = Symbol('sandboxed.transport-ws.options');
