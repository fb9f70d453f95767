import type { Metadata } from 'next';
import { safeReturnTo } from '@/lib/auth/return-to';
import { LoginForm } from '@/components/auth/login-form';

export const metadata: Metadata = { title: 'Sign in' };
export const dynamic = 'force-dynamic';

export default async function LoginPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).returnTo;
  const returnTo = safeReturnTo(typeof raw === 'string' ? raw : null);
  return (
    <div className="mx-auto max-w-sm pt-10">
      <LoginForm returnTo={returnTo} />
    </div>
  );
}
