import { changeEmailSchema, customerChangePasswordSchema, customerSessionIdSchema, deleteAccountSchema, updateProfileSchema } from '../../../shared/portal.ts';
import { customerProcedure, router, uses } from '../../trpc.ts';

const customer = customerProcedure.use(uses('customerAuth', 'customerAccounts'));

/** The signed-in customer's own account. */
export const portalAccountRouter = router({
  updateProfile: customer.input(updateProfileSchema).mutation(({ ctx, input }) => ctx.services.customerAccounts.updateProfile(ctx.em, ctx.customer, input, ctx.ip)),

  /** Emails a link to the new address; the change takes effect when it is followed. */
  changeEmail: customer.input(changeEmailSchema).mutation(({ ctx, input }) => ctx.services.customerAccounts.changeEmail(ctx.em, ctx.customer, input, ctx.ip)),

  /** Every other browser signed in to the account is signed out. */
  changePassword: customer
    .input(customerChangePasswordSchema)
    .mutation(({ ctx, input }) => ctx.services.customerAccounts.changePassword(ctx.em, ctx.customer, input, ctx.ip)),

  sessions: customer.query(({ ctx }) => ctx.services.customerAuth.sessions(ctx.em, ctx.customer)),

  /** Ends one of the customer's sessions (this browser's too: then the cookie goes). */
  endSession: customer.input(customerSessionIdSchema).mutation(async ({ ctx, input }) => {
    const { current } = await ctx.services.customerAuth.endSession(ctx.em, ctx.customer, input.id, ctx.ip);
    if (current) ctx.setCustomerCookie(null);
    return { ended: true as const };
  }),

  /** Revokes the keys, ends the sessions, anonymises the row; the ledger stays. */
  delete: customer.input(deleteAccountSchema).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.customerAccounts.deleteAccount(ctx.em, ctx.customer, input, ctx.ip);
    ctx.setCustomerCookie(null);
    return result;
  }),
});
