import { router } from '../trpc.ts';
import { adminRouter } from './admin/index.ts';
import { authRouter } from './auth.ts';
import { dataRouter } from './data.ts';
import { keysRouter } from './keys.ts';
import { portalRouter } from './portal/index.ts';
import { systemRouter } from './system.ts';
import { usageRouter } from './usage.ts';

export const appRouter = router({
  system: systemRouter,
  data: dataRouter,
  usage: usageRouter,
  keys: keysRouter,
  auth: authRouter,
  admin: adminRouter,
  portal: portalRouter,
});

export type AppRouter = typeof appRouter;
