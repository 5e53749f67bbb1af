import * as DropdownMenu from '@radix-ui/react-dropdown-menu';
import { useMutation } from '@tanstack/react-query';
import { useNavigate } from '@tanstack/react-router';
import { ChevronDown, KeyRound, LogOut, MonitorX } from 'lucide-react';
import { useState } from 'react';
import { Badge } from '../../ui/components/card.tsx';
import { ConfirmDialog } from '../../ui/components/dialog.tsx';
import { forgetSession } from '../lib/session.ts';
import { toast } from '../../ui/lib/toast.ts';
import { queryClient, trpc, type Me } from '../lib/trpc.ts';
import { ChangePasswordDialog } from './change-password.tsx';

const item =
  'flex cursor-pointer select-none items-center gap-2 rounded-md px-2.5 py-2 text-sm text-zinc-700 outline-none data-[highlighted]:bg-zinc-100 data-[highlighted]:text-zinc-900';

function initials(name: string, email: string): string {
  const source = name.trim() || email;
  const parts = source.split(/[\s@._-]+/).filter(Boolean);
  return ((parts[0]?.[0] ?? '') + (parts[1]?.[0] ?? '')).toUpperCase() || '?';
}

export function AccountMenu({ me }: { me: Me }) {
  const navigate = useNavigate();
  const [passwordOpen, setPasswordOpen] = useState(false);
  const [everywhereOpen, setEverywhereOpen] = useState(false);
  const signOut = useMutation(trpc.auth.signOut.mutationOptions());
  const signOutEverywhere = useMutation(trpc.auth.signOutEverywhere.mutationOptions());

  // The session is over: unmount the app first (the shell renders nothing without a session), then leave and forget.
  const leave = async () => {
    queryClient.setQueryData(trpc.auth.me.queryKey(), null);
    await navigate({ to: '/sign-in', replace: true });
    forgetSession();
  };

  return (
    <>
      <DropdownMenu.Root>
        <DropdownMenu.Trigger className="flex items-center gap-2 rounded-full py-1 pl-1 pr-2 text-sm hover:bg-zinc-100 data-[state=open]:bg-zinc-100" aria-label={`Account: ${me.admin.email}`}>
          <span className="flex size-7 items-center justify-center rounded-full bg-brand-100 text-xs font-semibold text-brand-700" aria-hidden="true">
            {initials(me.admin.name, me.admin.email)}
          </span>
          <span className="hidden max-w-48 truncate font-medium text-zinc-800 sm:block">{me.admin.name || me.admin.email}</span>
          <ChevronDown className="size-4 text-zinc-500" aria-hidden="true" />
        </DropdownMenu.Trigger>
        <DropdownMenu.Portal>
          <DropdownMenu.Content align="end" sideOffset={6} className="z-50 w-64 rounded-lg border border-zinc-200 bg-white p-1 shadow-lg">
            <div className="px-2.5 py-2">
              <p className="truncate text-sm font-medium text-zinc-900">{me.admin.name || me.admin.email}</p>
              <p className="truncate text-xs text-zinc-500">{me.admin.email}</p>
              <Badge tone={me.admin.role === 'viewer' ? 'neutral' : 'brand'} className="mt-1.5 capitalize">
                {me.admin.role}
              </Badge>
            </div>
            <DropdownMenu.Separator className="my-1 h-px bg-zinc-100" />
            <DropdownMenu.Item className={item} onSelect={() => setPasswordOpen(true)}>
              <KeyRound className="size-4" aria-hidden="true" /> Change password
            </DropdownMenu.Item>
            <DropdownMenu.Item className={item} onSelect={() => setEverywhereOpen(true)}>
              <MonitorX className="size-4" aria-hidden="true" /> Sign out everywhere
            </DropdownMenu.Item>
            <DropdownMenu.Item
              className={item}
              onSelect={() => {
                signOut.mutate(undefined, {
                  onSuccess: () => void leave(),
                  onError: (err) => toast('Could not sign out', { tone: 'error', description: err.message }),
                });
              }}
            >
              <LogOut className="size-4" aria-hidden="true" /> Sign out
            </DropdownMenu.Item>
          </DropdownMenu.Content>
        </DropdownMenu.Portal>
      </DropdownMenu.Root>

      <ChangePasswordDialog open={passwordOpen} onOpenChange={setPasswordOpen} />
      <ConfirmDialog
        open={everywhereOpen}
        onOpenChange={setEverywhereOpen}
        title="Sign out everywhere?"
        description="This ends every session of your account, in every browser, including this one. You will need to sign in again."
        confirmLabel="Sign out everywhere"
        onConfirm={async () => {
          const result = await signOutEverywhere.mutateAsync();
          toast(`Signed out of ${result.sessions} session${result.sessions === 1 ? '' : 's'}`);
          await leave();
        }}
      />
    </>
  );
}
