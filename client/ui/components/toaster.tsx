import * as ToastPrimitive from '@radix-ui/react-toast';
import { CheckCircle2, Info, X, XCircle } from 'lucide-react';
import { dismissToast, useToasts } from '../lib/toast.ts';
import { cx } from './cx.ts';

const icons = { success: CheckCircle2, error: XCircle, info: Info };
const colors = { success: 'text-emerald-600', error: 'text-red-600', info: 'text-brand-600' };

export function Toaster() {
  const toasts = useToasts();
  return (
    <ToastPrimitive.Provider swipeDirection="right" duration={5000}>
      {toasts.map((t) => {
        const Icon = icons[t.tone];
        return (
          <ToastPrimitive.Root
            key={t.id}
            type={t.tone === 'error' ? 'foreground' : 'background'}
            onOpenChange={(open) => {
              if (!open) dismissToast(t.id);
            }}
            className="flex items-start gap-3 rounded-lg border border-zinc-200 bg-white p-3 pr-2 shadow-lg"
          >
            <Icon className={cx('mt-0.5 size-4 shrink-0', colors[t.tone])} aria-hidden="true" />
            <div className="min-w-0 flex-1">
              <ToastPrimitive.Title className="text-sm font-medium text-zinc-900">{t.title}</ToastPrimitive.Title>
              {t.description && <ToastPrimitive.Description className="mt-0.5 text-xs text-zinc-600">{t.description}</ToastPrimitive.Description>}
            </div>
            <ToastPrimitive.Close className="rounded p-1 text-zinc-400 hover:bg-zinc-100 hover:text-zinc-700" aria-label="Dismiss">
              <X className="size-3.5" aria-hidden="true" />
            </ToastPrimitive.Close>
          </ToastPrimitive.Root>
        );
      })}
      <ToastPrimitive.Viewport className="fixed bottom-0 right-0 z-[60] flex w-full max-w-sm flex-col gap-2 p-4 outline-none" />
    </ToastPrimitive.Provider>
  );
}
