/** The error responses every documented route lists, with the one error body shape. */
export const ERROR_STATUSES: Record<string, string> = {
  '400': 'Invalid input: the message names the field and what to fix',
  '401': 'Missing or invalid credentials',
  '403': 'The credentials lack the scope this operation needs, or the path is not allowed',
  '404': 'No such sandbox (or it belongs to someone else), or no such file',
  '409': 'The request conflicts with the current state',
  '413': 'Body or result larger than the configured limit',
  '415': 'The body is not in the media type this route takes',
  '429': 'A per-principal quota is used up',
  '500': 'Unexpected server error',
  '501': 'The feature is not configured on this gateway',
  '503': 'The sandbox engine is unavailable',
  '504': 'The operation did not finish within its deadline',
};

export const ERROR_SCHEMA = {
  type: 'object',
  required: ['error'],
  properties: {
    error: {
      type: 'object',
      required: ['code', 'message'],
      properties: {
        code: {
          type: 'string',
          enum: [
            'not_found',
            'invalid_argument',
            'conflict',
            'unauthorized',
            'forbidden',
            'limit_exceeded',
            'quota_exceeded',
            'timeout',
            'unavailable',
            'not_implemented',
            'internal',
          ],
        },
        message: { type: 'string', description: 'What went wrong and how to fix it' },
        details: { description: 'Structured details, e.g. the invalid fields' },
      },
    },
  },
};

export function errorResponses(): Record<string, unknown> {
  return Object.fromEntries(
    Object.entries(ERROR_STATUSES).map(([status, description]) => [
      status,
      { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorResponse' } } } },
    ]),
  );
}
