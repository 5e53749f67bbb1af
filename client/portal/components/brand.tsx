import { Link } from '@tanstack/react-router';
import { useInfo } from '../lib/session.ts';

/** The product's name (PRODUCT_NAME on the server) and its initial as a mark, linking to the front page or the portal. */
export function Brand({ to = '/' }: { to?: '/' | '/app' }) {
  const name = useInfo()?.productName ?? '';
  return (
    <Link to={to} className="flex min-w-0 items-center gap-2 rounded-md text-base font-semibold tracking-tight text-zinc-900">
      <span className="flex size-7 shrink-0 items-center justify-center rounded-lg bg-brand-600 text-sm font-bold text-white" aria-hidden="true">
        {name.trim().charAt(0).toUpperCase() || '·'}
      </span>
      <span className="truncate">{name}</span>
    </Link>
  );
}
