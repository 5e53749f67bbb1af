import type { TRPCBuiltRouter, TRPCDecorateCreateRouterOptions } from '@trpc/server';
import type { ErrorShape, ProcedureMeta } from '../trpc.ts';
import type { dataProcedures } from './data.ts';
import type { keysProcedures } from './keys.ts';
import type { usageProcedures } from './usage.ts';

/** The routers an API key may call, under the same names as in the AppRouter. */
type KeyedProcedures = {
  data: typeof dataProcedures;
  usage: typeof usageProcedures;
  keys: typeof keysProcedures;
};

/**
 * What an API-key holder may call, as the client package (`@harmonic/client`) sees it: data,
 * usage and their own keys, nothing of the admin API. It is built from the procedures rather than
 * the routers because a router's type carries the server's context (the ORM, every service),
 * which a client never sees and must not need to type-check.
 */
export type KeyedRouter = TRPCBuiltRouter<
  { ctx: object; meta: ProcedureMeta; errorShape: ErrorShape; transformer: false },
  TRPCDecorateCreateRouterOptions<KeyedProcedures>
>;
