import type { FastifyInstance } from 'fastify';
import { jsonDepthExceeds, InvalidArgumentError, MAX_JSON_DEPTH } from '@sandboxed/plugin-sdk';

/**
 * Fastify's JSON parser (prototype-poisoning checks included), behind a nesting-depth check on the raw
 * text: a 50,000-deep body is a clear 400 here instead of a stack overflow in input validation.
 * An empty (or blank) body is an empty object: many clients send `content-type: application/json`
 * with no body on DELETE and on POSTs that need none.
 */
export function registerJsonBodyParser(fastify: FastifyInstance): void {
  const parse = fastify.getDefaultJsonParser('error', 'error');
  fastify.removeContentTypeParser('application/json');
  fastify.addContentTypeParser('application/json', { parseAs: 'string' }, (req, body, done) => {
    if ((body as string).trim() === '') return done(null, {});
    if (jsonDepthExceeds(body as string)) {
      return done(
        new InvalidArgumentError(`Body is nested deeper than ${MAX_JSON_DEPTH} levels; send flatter JSON`),
        undefined,
      );
    }
    parse(req, body as string, done);
  });
}
