import type { Metadata } from 'next';
import Link from 'next/link';
import { Alert, AlertDescription } from '@/components/ui/alert';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { isSsoRefusalReason, SSO_REFUSAL_MESSAGES } from '@/lib/auth/sso/sso-refusal';

export const metadata: Metadata = { title: 'Sign-in rejected' };
export const dynamic = 'force-dynamic';

export default async function SsoRefusedPage({ searchParams }: { searchParams: Promise<Record<string, string | string[] | undefined>> }) {
  const reason = (await searchParams).reason;
  const message = isSsoRefusalReason(reason) ? SSO_REFUSAL_MESSAGES[reason] : 'The sign-in with Microsoft was rejected. Start again.';
  return (
    <div className="mx-auto max-w-md pt-10">
      <Card>
        <CardHeader>
          <CardTitle>Sign-in with Microsoft rejected</CardTitle>
        </CardHeader>
        <CardContent className="grid gap-4">
          <Alert variant="destructive">
            <AlertDescription data-testid="sso-refused">{message}</AlertDescription>
          </Alert>
          <Link href="/login" className="text-sm underline">
            Back to the sign-in page
          </Link>
        </CardContent>
      </Card>
    </div>
  );
}
