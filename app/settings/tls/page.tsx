import type { Metadata } from 'next';
import { TlsStrategyForm } from '@/components/certificates/tls-strategy-form';
import { Card, CardHeader, CardTitle } from '@/components/ui/card';
import { assertAdmin } from '@/lib/auth/assert-admin';
import { readConsoleTlsSetting } from '@/lib/certificates/load-console-tls';
import { requireAdmin } from '@/lib/console-context';
import { setTlsStrategyAction } from './actions';

export const dynamic = 'force-dynamic';
export const metadata: Metadata = { title: 'Console certificate' };

export default async function TlsSettingsPage() {
  const ctx = await requireAdmin();
  assertAdmin(ctx);
  const setting = await readConsoleTlsSetting(ctx.db);

  return (
    <div className="flex flex-col gap-4">
      <div>
        <h1 className="text-2xl font-semibold">Console certificate</h1>
        <p className="text-sm text-muted-foreground">
          The certificate the web console serves. An upload must match its key, carry the complete chain up to a root, be valid
          now and cover the console&apos;s public host name. A change applies to new connections without a restart. The agent
          port always keeps the internal CA certificate, which agents pin.
        </p>
      </div>
      <Card>
        <CardHeader>
          <CardTitle>
            {setting.strategy === 'uploaded'
              ? `Uploaded: ${setting.subject}, valid until ${setting.notAfter}`
              : 'Issued by the internal CA'}
          </CardTitle>
        </CardHeader>
        <div className="p-4">
          <TlsStrategyForm current={setting.strategy} action={setTlsStrategyAction} />
        </div>
      </Card>
    </div>
  );
}
