import { cx } from '../../../ui/components/cx.ts';

/** The terms a screen uses (roles, scopes), each with a line of help, under the table that shows them. */
export function Glossary({ entries, columns, termClassName }: { entries: readonly { term: string; help: string }[]; columns: 2 | 3; termClassName?: string }) {
  return (
    <dl className={cx('mt-4 grid gap-2 text-sm text-zinc-600', columns === 2 ? 'sm:grid-cols-2' : 'sm:grid-cols-3')}>
      {entries.map(({ term, help }) => (
        <div key={term}>
          <dt className={cx('inline font-medium text-zinc-800', termClassName)}>{term}: </dt>
          <dd className="inline">{help}</dd>
        </div>
      ))}
    </dl>
  );
}
