import { Catch, HttpException, Logger, type ArgumentsHost, type ExceptionFilter } from '@nestjs/common';
import { SandboxedError, toSandboxedError, type ErrorCode } from '@sandboxed/plugin-sdk';

const CODE_BY_STATUS: Record<number, ErrorCode> = {
  400: 'invalid_argument',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'not_found',
  405: 'invalid_argument',
  409: 'conflict',
  413: 'limit_exceeded',
  415: 'invalid_argument',
  429: 'quota_exceeded',
  501: 'not_implemented',
  503: 'unavailable',
};

interface ReplyLike {
  status(code: number): ReplyLike;
  header(name: string, value: string): ReplyLike;
  send(body: unknown): unknown;
}

/** Gives routes outside the registry (unknown paths, /health) the same `{ error }` envelope. */
@Catch()
export class ErrorEnvelopeFilter implements ExceptionFilter {
  private readonly logger = new Logger('HttpErrors');

  catch(exception: unknown, host: ArgumentsHost): void {
    let error: SandboxedError;
    if (exception instanceof HttpException) {
      const status = exception.getStatus();
      error = new SandboxedError(
        CODE_BY_STATUS[status] ?? (status < 500 ? 'invalid_argument' : 'internal'),
        status,
        exception.message,
      );
    } else {
      if (!(exception instanceof SandboxedError)) this.logger.error((exception as Error)?.stack ?? String(exception));
      error = toSandboxedError(exception);
    }
    const reply = host.switchToHttp().getResponse<ReplyLike>();
    reply.status(error.status).header('content-type', 'application/json').send({ error: error.toJSON() });
  }
}
