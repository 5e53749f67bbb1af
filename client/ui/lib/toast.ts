import { useSyncExternalStore } from 'react';

export interface ToastItem {
  id: number;
  title: string;
  description?: string | undefined;
  tone: 'success' | 'error' | 'info';
}

let items: ToastItem[] = [];
let nextId = 1;
const listeners = new Set<() => void>();
const emit = () => {
  for (const l of listeners) l();
};

/** Shows a short message in the corner; announced politely to screen readers. */
export function toast(title: string, opts: { description?: string; tone?: ToastItem['tone'] } = {}): void {
  items = [...items, { id: nextId++, title, description: opts.description, tone: opts.tone ?? 'success' }].slice(-4);
  emit();
}

export function dismissToast(id: number): void {
  items = items.filter((t) => t.id !== id);
  emit();
}

export function useToasts(): ToastItem[] {
  return useSyncExternalStore(
    (l) => {
      listeners.add(l);
      return () => listeners.delete(l);
    },
    () => items,
  );
}
