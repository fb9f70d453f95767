import type { getHost } from '@/lib/hosts/get-host';
import type { listHostPackages } from '@/lib/hosts/list-host-packages';

/** The host detail as `getHost` returns it. */
export type HostDetail = Awaited<ReturnType<typeof getHost>>;

/** One page of installed packages as `listHostPackages` returns it. */
export type HostPackagePage = Awaited<ReturnType<typeof listHostPackages>>;
