import {
  acceptedSchema,
  changeEmailSchema,
  confirmEmailChangeSchema,
  customerChangePasswordSchema,
  customerSessionIdSchema,
  customerSignInSchema,
  deleteAccountSchema,
  forgotPasswordSchema,
  resetPasswordSchema,
  signUpSchema,
  updateProfileSchema,
  verifyEmailSchema,
  type CustomerSession,
  type CustomerSessionView,
  type CustomerView,
  type PortalInfo,
  type PortalOverview,
  type PortalPlan,
} from '../../../shared/portal.ts';
import { createKeySchema, keyIdSchema, rotateKeySchema, type CreatedKey, type KeySummary, type RotatedKey } from '../../../shared/keys.ts';
import { analyticsInputSchema } from '../../../shared/usage.ts';
import type { z } from 'zod';
import { publicProcedure, router } from '../../trpc.ts';

// CONTRACT STUB: the shapes of the customer portal's API. The accounts work replaces each stub
// with the real procedure (customer ones behind `customerProcedure`), keeping names, inputs and outputs.
const todo = <T>(): Promise<T> => Promise.reject(new Error('portal: not implemented yet'));
type Accepted = z.infer<typeof acceptedSchema>;
const customer = publicProcedure;

export const portalRouter = router({
  /** Before sign-in: product name, whether sign-up is open, the public tiers. */
  public: router({
    info: publicProcedure.query(() => todo<PortalInfo>()),
  }),

  auth: router({
    /** Creates the account on the default tier, signs in (sets the customer cookie) and emails the verification link. */
    signUp: publicProcedure.input(signUpSchema).mutation(() => todo<CustomerSessionView>()),
    signIn: publicProcedure.input(customerSignInSchema).mutation(() => todo<CustomerSessionView>()),
    /** The signed-in customer, or null. */
    me: publicProcedure.query(() => todo<CustomerSessionView | null>()),
    signOut: customer.mutation(() => todo<{ signedOut: true }>()),
    signOutEverywhere: customer.mutation(() => todo<{ sessions: number }>()),
    /** Public: the link may be opened in another browser. */
    verifyEmail: publicProcedure.input(verifyEmailSchema).mutation(() => todo<{ email: string }>()),
    resendVerification: customer.mutation(() => todo<{ sentTo: string }>()),
    /** Always accepted, whether or not the email has an account. */
    forgotPassword: publicProcedure.input(forgotPasswordSchema).mutation(() => todo<Accepted>()),
    /** Sets the password and ends every session of the account. */
    resetPassword: publicProcedure.input(resetPasswordSchema).mutation(() => todo<{ reset: true }>()),
    /** Public, like verifyEmail: the new address's link. */
    confirmEmailChange: publicProcedure.input(confirmEmailChangeSchema).mutation(() => todo<{ email: string }>()),
  }),

  account: router({
    updateProfile: customer.input(updateProfileSchema).mutation(() => todo<CustomerView>()),
    /** Emails a link to the new address; the change takes effect when it is followed. */
    changeEmail: customer.input(changeEmailSchema).mutation(() => todo<{ pendingEmail: string }>()),
    changePassword: customer.input(customerChangePasswordSchema).mutation(() => todo<{ changed: true }>()),
    sessions: customer.query(() => todo<CustomerSession[]>()),
    endSession: customer.input(customerSessionIdSchema).mutation(() => todo<{ ended: true }>()),
    /** Revokes the keys, ends the sessions, anonymises the row; the ledger stays. */
    delete: customer.input(deleteAccountSchema).mutation(() => todo<{ deleted: true }>()),
  }),

  keys: router({
    list: customer.query(() => todo<KeySummary[]>()),
    /** Needs a verified email. */
    create: customer.input(createKeySchema).mutation(() => todo<CreatedKey>()),
    rotate: customer.input(rotateKeySchema).mutation(() => todo<RotatedKey>()),
    revoke: customer.input(keyIdSchema).mutation(() => todo<KeySummary>()),
  }),

  usage: router({
    overview: customer.input(analyticsInputSchema).query(() => todo<PortalOverview>()),
  }),

  plan: router({
    get: customer.query(() => todo<PortalPlan>()),
  }),
});
