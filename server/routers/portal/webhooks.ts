import { createEndpointSchema, deliveriesQuerySchema, deliveryIdSchema, endpointIdSchema, updateEndpointSchema } from '../../../shared/webhooks.ts';
import { customerProcedure, router, uses } from '../../trpc.ts';

const customer = customerProcedure.use(uses('webhooks'));

/**
 * The customer's own webhook endpoints and their delivery log. Every call is scoped to the
 * session's customer: another customer's endpoint or delivery id is NOT_FOUND, as an unknown one is.
 */
export const portalWebhooksRouter = router({
  list: customer.query(({ ctx }) => ctx.services.webhooks.list(ctx.em, ctx.customer.id)),

  /** The signing secret is in the answer once, and never again. */
  create: customer.input(createEndpointSchema).mutation(({ ctx, input }) =>
    ctx.services.webhooks.create(ctx.em, { ownerId: ctx.customer.id, ...input, actor: ctx.actor }),
  ),

  update: customer.input(updateEndpointSchema).mutation(({ ctx, input }) =>
    ctx.services.webhooks.update(ctx.em, { ...input, scope: ctx.customer.id, actor: ctx.actor }),
  ),

  rotateSecret: customer.input(endpointIdSchema).mutation(({ ctx, input }) =>
    ctx.services.webhooks.rotateSecret(ctx.em, { id: input.id, scope: ctx.customer.id, actor: ctx.actor }),
  ),

  delete: customer.input(endpointIdSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.webhooks.delete(ctx.em, { id: input.id, scope: ctx.customer.id, actor: ctx.actor });
    return { deleted: true as const };
  }),

  disable: customer.input(endpointIdSchema).mutation(({ ctx, input }) =>
    ctx.services.webhooks.setEnabled(ctx.em, { id: input.id, scope: ctx.customer.id, enabled: false, actor: ctx.actor }),
  ),

  enable: customer.input(endpointIdSchema).mutation(({ ctx, input }) =>
    ctx.services.webhooks.setEnabled(ctx.em, { id: input.id, scope: ctx.customer.id, enabled: true, actor: ctx.actor }),
  ),

  sendTest: customer.input(endpointIdSchema).mutation(({ ctx, input }) =>
    ctx.services.webhooks.sendTest(ctx.em, { id: input.id, scope: ctx.customer.id, actor: ctx.actor }),
  ),

  deliveries: customer.input(deliveriesQuerySchema).query(({ ctx, input }) =>
    ctx.services.webhooks.deliveries(ctx.em, { id: input.id, scope: ctx.customer.id, cursor: input.cursor, limit: input.limit }),
  ),

  retry: customer.input(deliveryIdSchema).mutation(({ ctx, input }) =>
    ctx.services.webhooks.retry(ctx.em, { id: input.id, scope: ctx.customer.id, actor: ctx.actor }),
  ),
});
