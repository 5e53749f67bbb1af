import {
  confirmEmailChangeSchema,
  customerSignInSchema,
  forgotPasswordSchema,
  resetPasswordSchema,
  signUpSchema,
  verifyEmailSchema,
  type CustomerSessionView,
} from '../../../shared/portal.ts';
import { customerView, type CustomerIdentity } from '../../customers/auth.ts';
import { AppError } from '../../errors.ts';
import type { Tier } from '../../tiers/entity.ts';
import type { User } from '../../users/entity.ts';
import { customerProcedure, originAllowed, publicProcedure, router, uses, type ProcedureContext } from '../../trpc.ts';

const anyone = publicProcedure.use(uses('customerAuth', 'customerAccounts'));
const customer = customerProcedure.use(uses('customerAuth', 'customerAccounts'));

const sessionView = (identity: CustomerIdentity, user: User, tier: Tier): CustomerSessionView => ({
  customer: customerView(user, tier),
  csrfToken: identity.csrfToken,
});

/** Sign-up and sign-in set a cookie, so they are held to the cookie routes' origin rule (no login CSRF). */
function assertOrigin(ctx: ProcedureContext): void {
  if (!originAllowed(ctx)) throw new AppError('FORBIDDEN', 'This origin may not sign in');
}

/** Customers' sign-up, sign-in, sessions, and the links emailed to them. */
export const portalAuthRouter = router({
  /** Creates the account on the default tier, signs in (sets the customer cookie) and emails the verification link. */
  signUp: anyone.input(signUpSchema).mutation(async ({ ctx, input }) => {
    assertOrigin(ctx);
    const { token, identity, user, tier } = await ctx.services.customerAuth.signUp(ctx.em, { ...input, ip: ctx.ip, userAgent: ctx.cookies.userAgent });
    ctx.setCustomerCookie(token);
    return sessionView(identity, user, tier);
  }),

  signIn: anyone.input(customerSignInSchema).mutation(async ({ ctx, input }) => {
    assertOrigin(ctx);
    const { token, identity, user } = await ctx.services.customerAuth.signIn(ctx.em, { ...input, ip: ctx.ip, userAgent: ctx.cookies.userAgent });
    ctx.setCustomerCookie(token);
    return sessionView(identity, user, await user.tier.loadOrFail());
  }),

  /** The signed-in customer, or null: the portal asks this at start to choose between sign-in and the app. */
  me: anyone.query(async ({ ctx }): Promise<CustomerSessionView | null> => {
    const session = await ctx.services.customerAuth.authenticate(ctx.em, ctx.cookies.customerToken);
    if (!session) return null;
    return sessionView(session.identity, session.user, await session.user.tier.loadOrFail());
  }),

  signOut: customer.mutation(async ({ ctx }) => {
    await ctx.services.customerAuth.signOut(ctx.em, ctx.customer, ctx.ip);
    ctx.setCustomerCookie(null);
    return { signedOut: true as const };
  }),

  /** Ends every session of this customer, on every browser and instance. */
  signOutEverywhere: customer.mutation(async ({ ctx }) => {
    const sessions = await ctx.services.customerAuth.signOutEverywhere(ctx.em, ctx.customer, ctx.ip);
    ctx.setCustomerCookie(null);
    return { sessions };
  }),

  /** Public: the link may be opened in another browser. */
  verifyEmail: anyone.input(verifyEmailSchema).mutation(({ ctx, input }) => ctx.services.customerAccounts.verifyEmail(ctx.em, input.token, ctx.ip)),

  resendVerification: customer.mutation(({ ctx }) => ctx.services.customerAccounts.resendVerification(ctx.em, ctx.customer)),

  /** Always accepted, whether or not the email has an account. */
  forgotPassword: anyone.input(forgotPasswordSchema).mutation(({ ctx, input }) => ctx.services.customerAccounts.forgotPassword(ctx.em, input.email, ctx.ip)),

  /** Sets the password and ends every session of the account, this browser's too: the customer signs in again. */
  resetPassword: anyone.input(resetPasswordSchema).mutation(async ({ ctx, input }) => {
    const result = await ctx.services.customerAccounts.resetPassword(ctx.em, input, ctx.ip);
    ctx.setCustomerCookie(null);
    return result;
  }),

  /** Public, like verifyEmail: the new address's link. */
  confirmEmailChange: anyone.input(confirmEmailChangeSchema).mutation(({ ctx, input }) => ctx.services.customerAccounts.confirmEmailChange(ctx.em, input.token, ctx.ip)),
});
