import { Link } from '@tanstack/react-router';
import { BookOpen, CreditCard, FlaskConical, Gauge, KeyRound, Layers, ScrollText, Settings, ShieldCheck, TerminalSquare, Users, Webhook } from 'lucide-react';
import type { ComponentType } from 'react';
import type { AdminRole } from '../../../shared/admin.ts';

interface NavItem {
  to: '/' | '/users' | '/keys' | '/tiers' | '/billing' | '/kb' | '/audit' | '/playground' | '/webhooks' | '/settings' | '/admins' | '/management-keys';
  label: string;
  icon: ComponentType<{ className?: string; 'aria-hidden'?: boolean }>;
  ownerOnly?: boolean;
}

export const NAV: readonly NavItem[] = [
  { to: '/', label: 'Dashboard', icon: Gauge },
  { to: '/users', label: 'Users', icon: Users },
  { to: '/keys', label: 'Keys', icon: KeyRound },
  { to: '/tiers', label: 'Tiers', icon: Layers },
  { to: '/billing', label: 'Billing', icon: CreditCard },
  { to: '/kb', label: 'Knowledge base', icon: BookOpen },
  { to: '/audit', label: 'Audit log', icon: ScrollText },
  { to: '/playground', label: 'Playground', icon: FlaskConical },
  { to: '/webhooks', label: 'Webhooks', icon: Webhook },
  { to: '/settings', label: 'Settings', icon: Settings },
  { to: '/admins', label: 'Admins', icon: ShieldCheck, ownerOnly: true },
  { to: '/management-keys', label: 'Management keys', icon: TerminalSquare, ownerOnly: true },
];

export function Nav({ role, onNavigate }: { role: AdminRole; onNavigate?: () => void }) {
  return (
    <nav aria-label="Main" className="flex flex-col gap-0.5 px-3">
      {NAV.filter((item) => !item.ownerOnly || role === 'owner').map((item) => (
        <Link
          key={item.to}
          to={item.to}
          onClick={onNavigate}
          activeOptions={{ exact: item.to === '/', includeSearch: false }}
          className="flex items-center gap-2.5 rounded-md px-2.5 py-2 text-sm font-medium text-zinc-600 hover:bg-zinc-100 hover:text-zinc-900 aria-[current=page]:bg-brand-50 aria-[current=page]:text-brand-700"
        >
          <item.icon className="size-4 shrink-0" aria-hidden />
          {item.label}
        </Link>
      ))}
    </nav>
  );
}

export function Brand() {
  return (
    <Link to="/" className="flex items-center gap-2 rounded-md text-base font-semibold tracking-tight text-zinc-900">
      <svg viewBox="0 0 32 32" className="size-7" aria-hidden="true">
        <rect width="32" height="32" rx="8" className="fill-brand-600" />
        <path d="M9 22V10m0 6h14m0-6v12" stroke="#fff" strokeWidth="3" strokeLinecap="round" fill="none" />
      </svg>
      Harmonic
    </Link>
  );
}
