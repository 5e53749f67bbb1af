import * as TabsPrimitive from '@radix-ui/react-tabs';
import type { ReactNode } from 'react';
import { cx } from './cx.ts';

/** Tabs (Radix): arrow keys move between them, and the selected one is announced. */
export function Tabs<T extends string>({
  value,
  onValueChange,
  tabs,
  label,
  children,
  variant = 'underline',
  className,
}: {
  value: T;
  onValueChange: (value: T) => void;
  tabs: readonly { value: T; label: ReactNode }[];
  label: string;
  children?: ReactNode;
  variant?: 'underline' | 'pill';
  className?: string;
}) {
  return (
    <TabsPrimitive.Root value={value} onValueChange={(v) => onValueChange(v as T)} className={className}>
      <TabsPrimitive.List aria-label={label} className={variant === 'pill' ? 'inline-flex rounded-lg bg-zinc-100 p-0.5' : 'flex gap-1 overflow-x-auto border-b border-zinc-200'}>
        {tabs.map((t) => (
          <TabsPrimitive.Trigger
            key={t.value}
            value={t.value}
            className={cx(
              'whitespace-nowrap text-sm font-medium transition-colors',
              variant === 'pill'
                ? 'rounded-md px-2.5 py-1 text-zinc-600 hover:text-zinc-900 data-[state=active]:bg-white data-[state=active]:text-zinc-900 data-[state=active]:shadow-sm'
                : '-mb-px border-b-2 border-transparent px-3 py-2 text-zinc-500 hover:text-zinc-900 data-[state=active]:border-brand-600 data-[state=active]:text-zinc-900',
            )}
          >
            {t.label}
          </TabsPrimitive.Trigger>
        ))}
      </TabsPrimitive.List>
      {children}
    </TabsPrimitive.Root>
  );
}

export const TabPanel = ({ value, children, className }: { value: string; children: ReactNode; className?: string }) => (
  <TabsPrimitive.Content value={value} className={cx('focus-visible:outline-none', className)}>
    {children}
  </TabsPrimitive.Content>
);
