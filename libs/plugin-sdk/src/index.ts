import 'reflect-metadata';
export {
  SandboxedError,
  NotFoundError,
  InvalidArgumentError,
  ConflictError,
  UnauthorizedError,
  ForbiddenError,
  LimitExceededError,
  QuotaExceededError,
  TimeoutError,
  UnavailableError,
  NotImplementedError,
  toSandboxedError,
} from './errors.js';
export type { ErrorCode } from './errors.js';
export { hasScope } from './principal.types.js';
export type { Principal } from './principal.types.js';
export { onCredentialsExpiry, credentialsExpiredError } from './credentials-expiry.js';
export type {
  SandboxRuntime,
  SandboxSpec,
  SandboxInfo,
  SandboxStatus,
  SandboxResources,
  SandboxSelector,
  ExecRequest,
  ExecBuiltin,
  ExecSession,
  ExecExit,
  RuntimeRegistry,
  RuntimeHealth,
} from './runtime.types.js';
export type { SandboxPoolDriver, PoolMember, PoolFillSpec } from './sandbox-pool.types.js';
export { poolSeedSpec } from './pool-seed.factory.js';
export type {
  Class,
  OperationDefinition,
  OperationContext,
  SandboxOperationContext,
  OperationEvent,
  OperationHints,
  OperationLogger,
  OperationRegistry,
  HttpBinding,
  UnaryOperation,
  MediaImage,
  OperationMedia,
  StreamOperation,
} from './operation.types.js';
export { sandboxOperation, globalOperation, sandboxStreamOperation, requiredScopeOf } from './operation.helpers.js';
export { definePlugin, isPlugin, PLUGIN_API_VERSION } from './plugin.definition.js';
export type { Plugin, PluginKind, PluginManifest } from './plugin.definition.js';
export {
  OPERATION_REGISTRY,
  RUNTIME_REGISTRY,
  CHANNEL_REGISTRY,
  OPERATION_INVOKER,
  AUTHENTICATOR,
  SCHEMA_CATALOG,
  KERNEL_LIMITS,
  GATEWAY_INFO,
  REQUEST_ADMISSION,
} from './kernel.tokens.js';
export type {
  InvocationRequest,
  OperationInvoker,
  Authenticator,
  SchemaCatalog,
  JsonSchema,
  Limits,
  GatewayInfo,
  OriginAllowances,
  RequestAdmission,
} from './kernel.tokens.js';
export type { BearerChallenge, HttpResourceDeclaration } from './http-resource.types.js';
export { ROUTE_ACCESS, routeAccess } from './route-access.js';
export { drainRefusedBody } from './refused-body.drain.js';
export type { RouteAccess } from './route-access.js';
export { ROUTE_DOC, routeDoc } from './route-doc.js';
export type { RouteDoc } from './route-doc.js';
export { collectOutput, decodeUtf8 } from './exec-output.collector.js';
export type { CollectedOutput, CollectOptions } from './exec-output.collector.js';
export { execEvents } from './exec-events.stream.js';
export type { ExecEventsOptions } from './exec-events.stream.js';
export { BinaryBody } from './binary.body.js';
export { sandboxFrameChannel, sandboxMessageChannel, sandboxTunnel, sandboxHttpPath } from './channel.helpers.js';
export type {
  ChannelDefinition,
  ChannelMessage,
  ChannelRegistry,
  FrameChannel,
  FrameChannelDefinition,
  MessageChannel,
  MessageChannelDefinition,
  OpenedChannel,
  TunnelDefinition,
} from './channel.types.js';
export { isValidSandboxId, assertValidSandboxId } from './sandbox-id.js';
export { CommandInput, resolveCommand } from './command.input.js';
export type { ResolvedCommand } from './command.input.js';
export { execTimeout, toExecResult } from './exec-result.js';
export type { ExecResult } from './exec-result.js';
export { assertJsonDepth, jsonDepthExceeds, MAX_JSON_DEPTH } from './json-depth.js';
export {
  DOCKER_SUBREAPER,
  IMAGE_SUBREAPER,
  EXEC_REGISTRY,
  TRACKER_NAME,
  KILLER_DONE,
  killerArgv,
  wrapArgv,
} from './exec-wrapper.script.js';
export { checkedEnv, validateExecRequest, resolveExecCwd, resolveSandboxPath } from './exec-request.validator.js';
export { IMAGE_TEMPLATES, LOCAL_IMAGES } from './sandbox-images.js';
export { templateOf } from './template.lookup.js';
export type { ImageTemplateSeed } from './sandbox-images.js';
export { bridgeArgv } from './port-bridge.script.js';
export { sandboxInfo } from './sandbox-info.js';
export type { SandboxRecord } from './sandbox-info.js';
export { templateMapConstraint, templateMapErrors } from './template-map.validator.js';
export type { TemplateNameRule } from './template-map.validator.js';
