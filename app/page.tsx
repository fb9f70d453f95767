import { redirect } from 'next/navigation';

/** The console starts at the dashboard. */
export default function HomePage() {
  redirect('/dashboard');
}
