import { router } from '../trpc.ts';
import { dataRouter } from './data.ts';
import { keysRouter } from './keys.ts';
import { systemRouter } from './system.ts';
import { usageRouter } from './usage.ts';

export const appRouter = router({
  system: systemRouter,
  data: dataRouter,
  usage: usageRouter,
  keys: keysRouter,
});

export type AppRouter = typeof appRouter;
