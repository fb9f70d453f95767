import Link from 'next/link';
import { requireAdmin } from '@/lib/console-context';
import { Card, CardDescription, CardHeader, CardTitle } from '@/components/ui/card';

export const dynamic = 'force-dynamic';

export const metadata = { title: 'Settings' };

const SECTIONS = [
  { href: '/settings/email', title: 'Email', description: 'SMTP server, recipients and the notice rate limit, with a test send.' },
  { href: '/settings/network', title: 'Network access', description: 'IP allowlist for the console and the agent listener, and the trusted reverse proxies.' },
  { href: '/settings/sso', title: 'Single sign-on', description: 'Sign-in with Microsoft Entra ID, group to role mapping and break-glass accounts.' },
  { href: '/settings/tls', title: 'Console certificate', description: 'Use the internal CA or an uploaded certificate chain for the web console.' },
];

export default async function SettingsPage() {
  await requireAdmin();

  return (
    <div className="flex flex-col gap-4">
      <h1 className="text-2xl font-semibold">Settings</h1>
      <div className="grid gap-4 md:grid-cols-2">
        {SECTIONS.map((section) => (
          <Link key={section.href} href={section.href}>
            <Card className="transition-colors hover:bg-muted/50">
              <CardHeader>
                <CardTitle>{section.title}</CardTitle>
                <CardDescription>{section.description}</CardDescription>
              </CardHeader>
            </Card>
          </Link>
        ))}
      </div>
    </div>
  );
}
