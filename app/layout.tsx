import type { Metadata } from 'next';
import Link from 'next/link';
import { ShieldCheck } from 'lucide-react';
import { UserMenu } from '@/components/auth/user-menu';
import { consoleContext } from '@/lib/console-context';
import { AppError } from '@/lib/errors';
import { NavLinks } from '@/components/nav-links';
import { AuditAlertBanner } from '@/components/audit-alert-banner';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Patch Manager', template: '%s · Patch Manager' },
  description: 'Keeps a fleet of Linux hosts patched.',
};

/** Returns the signed-in user, or null on the sign-in and setup pages. */
async function currentUser() {
  try {
    return (await consoleContext()).actor;
  } catch (error) {
    if (error instanceof AppError) return null;
    throw error;
  }
}

export default async function RootLayout({ children }: { children: React.ReactNode }) {
  const user = await currentUser();

  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        <header className="border-b bg-card">
          <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-2">
            <Link href="/dashboard" className="flex shrink-0 items-center gap-2 font-semibold">
              <ShieldCheck aria-hidden className="size-5 text-primary" />
              Patch Manager
            </Link>
            {user && <NavLinks isAdmin={user.role === 'admin'} />}
            {user && <UserMenu user={user} />}
          </div>
        </header>
        {user && (
          <div className="mx-auto max-w-7xl px-4 pt-4 empty:hidden">
            <AuditAlertBanner />
          </div>
        )}
        <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      </body>
    </html>
  );
}
