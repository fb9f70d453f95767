import type { Metadata } from 'next';
import Link from 'next/link';
import { ShieldCheck } from 'lucide-react';
import { LoopbackNotice } from '@/components/loopback-notice';
import { NavLinks } from '@/components/nav-links';
import './globals.css';

export const metadata: Metadata = {
  title: { default: 'Patch Manager', template: '%s · Patch Manager' },
  description: 'Keeps a fleet of Linux hosts patched.',
};

export default function RootLayout({ children }: { children: React.ReactNode }) {
  return (
    <html lang="en">
      <body className="min-h-screen antialiased">
        <header className="border-b bg-card">
          <div className="mx-auto flex max-w-7xl items-center gap-6 px-4 py-2">
            <Link href="/hosts" className="flex items-center gap-2 font-semibold">
              <ShieldCheck aria-hidden className="size-5 text-primary" />
              Patch Manager
            </Link>
            <NavLinks />
          </div>
        </header>
        <div className="mx-auto max-w-7xl px-4 pt-4">
          <LoopbackNotice />
        </div>
        <main className="mx-auto max-w-7xl px-4 py-6">{children}</main>
      </body>
    </html>
  );
}
