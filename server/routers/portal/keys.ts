import { createKeySchema, keyIdSchema, rotateKeySchema, type RotatedKey } from '../../../shared/keys.ts';
import { AppError } from '../../errors.ts';
import { customerProcedure, router, uses } from '../../trpc.ts';

const customer = customerProcedure.use(uses('keys'));

/**
 * The customer's own API keys, through the same KeyService as everywhere else, always with the
 * session's customer as the owner: another customer's key id is NOT_FOUND, as an unknown one is.
 */
export const portalKeysRouter = router({
  list: customer.query(({ ctx }) => ctx.services.keys.list(ctx.em, ctx.customer.id)),

  /** Needs a verified email, and an account that is not suspended. */
  create: customer.input(createKeySchema).mutation(({ ctx, input }) => {
    const user = ctx.customerUser;
    if (!user.emailVerifiedAt) throw new AppError('FORBIDDEN', `Verify your email first: follow the link we sent to ${user.email}`);
    if (user.status === 'suspended') throw new AppError('USER_SUSPENDED', 'Your account is suspended, so it cannot have new keys');
    return ctx.services.keys.create(ctx.em, {
      userId: ctx.customer.id,
      name: input.name,
      expiresAt: input.expiresAt ? new Date(input.expiresAt) : undefined,
      metadata: input.metadata,
      actor: ctx.actor,
    });
  }),

  rotate: customer.input(rotateKeySchema).mutation(({ ctx, input }): Promise<RotatedKey> => {
    if (ctx.customerUser.status === 'suspended') throw new AppError('USER_SUSPENDED', 'Your account is suspended, so it cannot have new keys');
    return ctx.services.keys.rotate(ctx.em, { keyId: input.id, ownerId: ctx.customer.id, gracePeriodSeconds: input.gracePeriodSeconds, actor: ctx.actor });
  }),

  revoke: customer.input(keyIdSchema).mutation(({ ctx, input }) => ctx.services.keys.revoke(ctx.em, { keyId: input.id, ownerId: ctx.customer.id, actor: ctx.actor })),
});
