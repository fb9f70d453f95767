'use client';

import Link from 'next/link';
import { usePathname } from 'next/navigation';
import { cn } from '@/lib/utils';

type Match = 'exact' | 'children' | 'section';

// Dashboard and Hosts share /hosts: the list counts as the dashboard, and a host's
// own page counts as Hosts.
const LINKS: { href: string; label: string; match: Match }[] = [
  { href: '/hosts', label: 'Dashboard', match: 'exact' },
  { href: '/hosts', label: 'Hosts', match: 'children' },
  { href: '/jobs', label: 'Jobs', match: 'section' },
  { href: '/enrollment', label: 'Enrollment', match: 'section' },
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

/** The top navigation; highlights the section of the current path. */
export function NavLinks() {
  const pathname = usePathname();

  return (
    <nav aria-label="Main" className="flex items-center gap-1">
      {LINKS.map((link) => {
        const active = isActive(pathname, link.href, link.match);
        return (
          <Link
            key={link.label}
            href={link.href}
            aria-current={active ? 'page' : undefined}
            className={cn(
              'rounded-md px-3 py-1.5 text-sm font-medium text-muted-foreground transition-colors hover:bg-muted hover:text-foreground',
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
