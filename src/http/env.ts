import type { Logger } from 'pino';
import type { Ctx } from '../context';

export interface AppEnv {
  Variables: {
    requestId: string;
    /** The service's logger; request lines carry the request id and, once known, the organization. */
    logger: Logger;
    /** Set by the auth middleware on every /v1 route. */
    ctx: Ctx;
  };
}
