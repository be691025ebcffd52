import { describe, expect, it } from '@jest/globals';
import { toolNameFor } from './tool-name.js';

describe('toolNameFor', () => {
  it('turns dots into underscores and camelCase into snake_case', () => {
    expect(toolNameFor('shell.exec')).toBe('shell_exec');
    expect(toolNameFor('shell.execStream')).toBe('shell_exec_stream');
    expect(toolNameFor('files.read')).toBe('files_read');
    expect(toolNameFor('acme.getHTTPStatus')).toBe('acme_get_http_status');
    expect(toolNameFor('process.logs2Json')).toBe('process_logs2_json');
  });
});
