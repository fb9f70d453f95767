'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/lib/utils';

type Match = 'exact' | 'children' | 'section';

const LINKS: { href: string; label: string; match: Match; adminOnly?: boolean }[] = [
  { href: '/dashboard', label: 'Dashboard', match: 'section' },
  { href: '/hosts', label: 'Hosts', match: 'section' },
  { href: '/jobs', label: 'Jobs', match: 'section' },
  { href: '/schedules', label: 'Schedules', match: 'section' },
  { href: '/reports', label: 'Reports', match: 'section' },
  { href: '/enrollment', label: 'Enrollment', match: 'section', adminOnly: true },
  { href: '/certificates', label: 'Certificates', match: 'section', adminOnly: true },
  { href: '/audit', label: 'Audit', match: 'section', adminOnly: true },
  { href: '/admin/users', label: 'Users', match: 'section', adminOnly: true },
  { href: '/admin/groups', label: 'Groups', match: 'section', adminOnly: true },
  { href: '/admin/maintenance-windows', label: 'Maintenance', match: 'section', adminOnly: true },
  { href: '/admin/commands', label: 'Commands', match: 'section', adminOnly: true },
  { href: '/settings', label: 'Settings', match: 'section', adminOnly: true },
];

function isActive(pathname: string, href: string, match: Match): boolean {
  const exact = pathname === href;
  const child = pathname.startsWith(`${href}/`);

  if (match === 'exact') {
    return exact;
  }
  if (match === 'children') {
    return child;
  }
  return exact || child;
}

/** Renders the top navigation, highlighting the section of the current path and showing Admin sections only to Admins. */
export function NavLinks({ isAdmin }: { isAdmin: boolean }) {
  const pathname = usePathname();

  return (
    <nav aria-label="Main" className="flex min-w-0 flex-1 flex-wrap items-center gap-x-1 gap-y-0.5">
      {LINKS.filter((link) => isAdmin || !link.adminOnly).map((link) => {
        const active = isActive(pathname, link.href, link.match);
        return (
          <Link
            key={link.label}
            href={link.href}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'rounded-md px-2.5 py-1.5 text-sm font-medium whitespace-nowrap text-muted-foreground transition-colors hover:bg-muted hover:text-foreground',
              active && 'bg-muted text-foreground',
            )}
          >
            {link.label}
          </Link>
        );
      })}
    </nav>
  );
}
