export { GATEWAY_VERSION } from './version.js';
