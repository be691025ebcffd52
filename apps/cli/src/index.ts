export { cli, USAGE } from './cli.js';
export { ApiClient } from './api.client.js';
