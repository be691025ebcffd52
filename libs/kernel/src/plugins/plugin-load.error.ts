/** Boot stops with this when a plugin cannot be loaded; the message names the plugin. */
export class PluginLoadError extends Error {
  constructor(
    readonly pluginId: string,
    message: string,
  ) {
    super(`Plugin "${pluginId}": ${message}`);
    this.name = 'PluginLoadError';
  }
}
