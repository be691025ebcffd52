/** `GET /health` (served by the kernel), as documented in `/openapi.json`. */
export const HEALTH_PATH = {
  get: {
    operationId: 'health',
    summary: 'Health check',
    description: 'Liveness, version and the runtime’s state; needs no credentials.',
    tags: ['health'],
    security: [],
    responses: {
      '200': {
        description: 'The gateway is up',
        content: {
          'application/json': {
            schema: {
              type: 'object',
              additionalProperties: false,
              required: ['status', 'version', 'runtime', 'uptimeSeconds'],
              properties: {
                status: {
                  type: 'string',
                  enum: ['ok', 'degraded'],
                  description: '`degraded` when the runtime reports something missing (see `reasons`)',
                },
                version: { type: 'string' },
                runtime: { type: 'string', examples: ['local'] },
                reasons: { type: 'array', items: { type: 'string' }, description: 'What the runtime lacks' },
                uptimeSeconds: { type: 'integer', minimum: 0 },
              },
            },
          },
        },
      },
    },
  },
};
