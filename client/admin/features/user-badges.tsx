import type { UserView } from '../../../shared/admin.ts';
import { Badge } from '../../ui/components/card.tsx';

/** How the user came to exist: signed up on the portal, or created by an admin (app, CLI or management API). */
export function OriginBadge({ user }: { user: Pick<UserView, 'origin'> }) {
  return user.origin === 'signup' ? <Badge tone="brand">Self sign-up</Badge> : <Badge>Admin-created</Badge>;
}

/** Whether the user followed the link sent to their email (keys on the portal wait for it). */
export function VerificationBadge({ user }: { user: Pick<UserView, 'emailVerifiedAt'> }) {
  return user.emailVerifiedAt ? <Badge tone="green">Verified</Badge> : <Badge tone="amber">Unverified</Badge>;
}
