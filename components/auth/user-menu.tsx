import Link from 'next/link';
import type { UserActor } from '@/lib/auth/authenticate-access-token';
import { Badge } from '@/components/ui/badge';
import { SignOutButton } from './sign-out-button';

/** The signed-in user's name and role, a link to the account page and the sign-out button. */
export function UserMenu({ user }: { user: UserActor }) {
  return (
    <div className="ml-auto flex shrink-0 items-center gap-3 text-sm" data-testid="user-menu">
      <Link href="/account" className="font-medium hover:underline" data-testid="user-name">
        {user.username}
      </Link>
      <Badge variant="secondary" data-testid="user-role">
        {user.role === 'admin' ? 'Admin' : 'Operator'}
      </Badge>
      <SignOutButton />
    </div>
  );
}
