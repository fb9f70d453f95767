import { redirect } from 'next/navigation';

/** The console has no separate start page yet: the hosts list is the dashboard. */
export default function HomePage() {
  redirect('/hosts');
}
