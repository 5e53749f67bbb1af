import { updateSettingsSchema } from '../../../shared/admin.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('settings'));

/** What admins change at run time: portal sign-up on or off (SIGNUP_ENABLED=false overrides it). */
export const adminSettingsRouter = router({
  get: procedure.query(({ ctx }) => ctx.services.settings.view(ctx.em)),
  update: procedure.input(updateSettingsSchema).mutation(({ ctx, input }) => ctx.services.settings.update(ctx.em, input, ctx.actor)),
});
