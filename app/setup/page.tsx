import type { Metadata } from 'next';
import { notFound } from 'next/navigation';
import { isSetupPending } from '@/lib/auth/setup/first-run-setup';
import { getRuntime } from '@/lib/runtime';
import { SetupForm } from '@/components/auth/setup-form';

export const metadata: Metadata = { title: 'First-run setup' };
export const dynamic = 'force-dynamic';

/** Creates the first Admin; exists only while no user does. */
export default async function SetupPage() {
  if (!(await isSetupPending(getRuntime().database.db))) {
    notFound();
  }
  return (
    <div className="mx-auto max-w-sm pt-10">
      <SetupForm />
    </div>
  );
}
