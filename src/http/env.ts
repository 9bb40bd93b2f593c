import type { Logger } from 'pino';
import type { Ctx } from '../context';

export interface AppEnv {
  Variables: {
    requestId: string;
    logger: Logger;
    /** Set by the auth middleware on every /v1 route. */
    ctx: Ctx;
  };
}
