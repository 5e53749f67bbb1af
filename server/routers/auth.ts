import { changePasswordSchema, signInSchema, type AdminSessionView } from '../../shared/admin.ts';
import type { AdminIdentity } from '../admin/auth/service.ts';
import { AppError } from '../errors.ts';
import { originAllowed, publicProcedure, router, selfServiceProcedure, uses } from '../trpc.ts';

const anyone = publicProcedure.use(uses('adminAuth'));
const self = selfServiceProcedure.use(uses('adminAuth'));

const sessionView = (identity: AdminIdentity): AdminSessionView => ({
  admin: { id: identity.id, email: identity.email, name: identity.name, role: identity.role },
  csrfToken: identity.csrfToken,
});

/** Admin sign-in and the session that follows. */
export const authRouter = router({
  /** Signs in and sets the httpOnly session cookie; the CSRF token comes back for the SPA to send on mutations. */
  signIn: anyone.input(signInSchema).mutation(async ({ ctx, input }) => {
    // Sign-in sets a cookie, so it is held to the same origin rule as every cookie route (no login CSRF).
    if (!originAllowed(ctx)) throw new AppError('FORBIDDEN', 'This origin may not sign in');
    const { token, identity } = await ctx.services.adminAuth.signIn(ctx.em, {
      email: input.email,
      password: input.password,
      ip: ctx.ip,
      userAgent: ctx.cookies.userAgent,
    });
    ctx.setSessionCookie(token);
    return sessionView(identity);
  }),

  /** The signed-in admin, or null: the SPA asks this at start to choose between sign-in and the app. */
  me: anyone.query(async ({ ctx }) => {
    const identity = await ctx.services.adminAuth.authenticate(ctx.em, ctx.cookies.sessionToken);
    if (!identity) return null;
    return sessionView(identity);
  }),

  signOut: self.mutation(async ({ ctx }) => {
    await ctx.services.adminAuth.signOut(ctx.em, ctx.admin, ctx.ip);
    ctx.setSessionCookie(null);
    return { signedOut: true };
  }),

  /** Ends every session of this admin, on every browser and instance. */
  signOutEverywhere: self.mutation(async ({ ctx }) => {
    const sessions = await ctx.services.adminAuth.signOutEverywhere(ctx.em, ctx.admin, ctx.ip);
    ctx.setSessionCookie(null);
    return { sessions };
  }),

  changePassword: self.input(changePasswordSchema).mutation(async ({ ctx, input }) => {
    await ctx.services.adminAuth.changePassword(ctx.em, ctx.admin, input, ctx.ip);
    return { changed: true };
  }),
});
