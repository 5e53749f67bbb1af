import type { ReactNode } from 'react';
import { cx } from './cx.ts';

/**
 * A choice between a few modes (e.g. how a chart is stacked): toggle buttons in
 * a labelled group, the current one pressed. Unlike tabs, it switches no panel.
 */
export function Segmented<T extends string>({ value, onChange, options, label }: { value: T; onChange: (value: T) => void; options: readonly { value: T; label: ReactNode }[]; label: string }) {
  return (
    <div role="group" aria-label={label} className="inline-flex rounded-lg bg-zinc-100 p-0.5">
      {options.map((o) => (
        <button
          key={o.value}
          type="button"
          aria-pressed={o.value === value}
          onClick={() => onChange(o.value)}
          className={cx('whitespace-nowrap rounded-md px-2.5 py-1 text-sm font-medium transition-colors', o.value === value ? 'bg-white text-zinc-900 shadow-sm' : 'text-zinc-600 hover:text-zinc-900')}
        >
          {o.label}
        </button>
      ))}
    </div>
  );
}
