import type { Metadata } from 'next';
import { getAccountFactors } from '@/lib/account/manage-factors';
import { requireUser } from '@/lib/console-context';
import { AccountSettings } from '@/components/auth/account-settings';

export const metadata: Metadata = { title: 'Account' };
export const dynamic = 'force-dynamic';

export default async function AccountPage() {
  const ctx = await requireUser();
  const factors = await getAccountFactors(ctx);
  return (
    <AccountSettings
      username={ctx.actor.username}
      totp={factors.status.totp}
      recoveryCodesLeft={factors.status.recoveryCodesLeft}
      hasPassword={factors.hasPassword}
      credentials={factors.credentials.map((credential) => ({ id: credential.id, name: credential.name, createdAt: credential.createdAt.toISOString() }))}
    />
  );
}
