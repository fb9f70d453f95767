import type { Metadata } from 'next';
import { safeReturnTo } from '@/lib/auth/return-to';
import { EnrollForm } from '@/components/auth/enroll-form';

export const metadata: Metadata = { title: 'Set up a second factor' };
export const dynamic = 'force-dynamic';

export default async function EnrollPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const raw = (await searchParams).returnTo;
  return (
    <div className="mx-auto max-w-md pt-10">
      <EnrollForm returnTo={safeReturnTo(typeof raw === 'string' ? raw : null)} />
    </div>
  );
}
