import {
  adminListEndpointsSchema,
  createEndpointSchema,
  deliveriesQuerySchema,
  deliveryIdSchema,
  endpointIdSchema,
  updateEndpointSchema,
} from '../../../shared/webhooks.ts';
import { adminProcedure, router, uses } from '../../trpc.ts';

const procedure = adminProcedure.use(uses('webhooks'));

/**
 * The operator's webhook endpoints, which receive every user's events: created, changed and
 * deleted here only. Any user's endpoints can be listed, their logs read, and disabled, enabled
 * or retried, for support.
 */
export const adminWebhooksRouter = router({
  list: procedure.input(adminListEndpointsSchema).query(({ ctx, input }) => ctx.services.webhooks.list(ctx.em, input.userId ?? null)),

  /** The signing secret is in the answer once, and never again. */
  create: procedure.input(createEndpointSchema).mutation(({ ctx, input }) => ctx.services.webhooks.create(ctx.em, { ownerId: null, ...input, actor: ctx.actor })),

  update: procedure.input(updateEndpointSchema).mutation(({ ctx, input }) => ctx.services.webhooks.update(ctx.em, { ...input, scope: null, actor: ctx.actor })),

  rotateSecret: procedure.input(endpointIdSchema).mutation(({ ctx, input }) => ctx.services.webhooks.rotateSecret(ctx.em, { id: input.id, scope: null, actor: ctx.actor })),

  delete: procedure.input(endpointIdSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.webhooks.delete(ctx.em, { id: input.id, scope: null, actor: ctx.actor });
    return { deleted: true as const };
  }),

  disable: procedure
    .input(endpointIdSchema)
    .mutation(({ ctx, input }) => ctx.services.webhooks.setEnabled(ctx.em, { id: input.id, scope: undefined, enabled: false, actor: ctx.actor })),

  enable: procedure
    .input(endpointIdSchema)
    .mutation(({ ctx, input }) => ctx.services.webhooks.setEnabled(ctx.em, { id: input.id, scope: undefined, enabled: true, actor: ctx.actor })),

  sendTest: procedure.input(endpointIdSchema).mutation(({ ctx, input }) => ctx.services.webhooks.sendTest(ctx.em, { id: input.id, scope: null, actor: ctx.actor })),

  deliveries: procedure
    .input(deliveriesQuerySchema)
    .query(({ ctx, input }) => ctx.services.webhooks.deliveries(ctx.em, { id: input.id, scope: undefined, cursor: input.cursor, limit: input.limit })),

  retry: procedure.input(deliveryIdSchema).mutation(({ ctx, input }) => ctx.services.webhooks.retry(ctx.em, { id: input.id, scope: undefined, actor: ctx.actor })),
});
