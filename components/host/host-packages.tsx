import { Search } from 'lucide-react';
import { Pagination } from '@/components/pagination';
import { Badge } from '@/components/ui/badge';
import { Button } from '@/components/ui/button';
import { Card, CardContent, CardHeader, CardTitle } from '@/components/ui/card';
import { Input } from '@/components/ui/input';
import { Table, TableBody, TableCell, TableHead, TableHeader, TableRow } from '@/components/ui/table';
import type { HostPackagePage } from './types';

export interface HostPackagesProps {
  hostId: string;
  packages: HostPackagePage;
  search: string | undefined;
  page: number;
  pageSize: number;
}

/** Installed packages with a name search and paging through `pkgq` and `pkgpage`. */
export function HostPackages({ hostId, packages, search, page, pageSize }: HostPackagesProps) {
  const path = `/hosts/${hostId}`;

  return (
    <Card id="packages">
      <CardHeader>
        <CardTitle>Installed packages</CardTitle>
      </CardHeader>
      <CardContent>
        <form method="get" action={`${path}#packages`} className="flex gap-2" role="search">
          <Input name="pkgq" type="search" aria-label="Search installed packages" placeholder="Package name" defaultValue={search ?? ''} className="max-w-sm" />
          <Button type="submit" variant="secondary">
            <Search aria-hidden /> Search
          </Button>
        </form>
      </CardContent>
      <Table data-testid="host-packages">
        <TableHeader>
          <TableRow>
            <TableHead className="pl-4">Package</TableHead>
            <TableHead>Version</TableHead>
            <TableHead>Source</TableHead>
            <TableHead className="pr-4">State</TableHead>
          </TableRow>
        </TableHeader>
        <TableBody>
          {packages.items.length === 0 && (
            <TableRow>
              <TableCell colSpan={4} className="py-6 text-center text-muted-foreground">
                {search ? 'No installed package matches.' : 'No package inventory received yet.'}
              </TableCell>
            </TableRow>
          )}
          {packages.items.map((pkg) => (
            <TableRow key={`${pkg.name}:${pkg.arch}`} data-testid="package-row">
              <TableCell className="pl-4 font-mono text-xs">
                {pkg.name}
                <span className="text-muted-foreground">:{pkg.arch}</span>
              </TableCell>
              <TableCell className="font-mono text-xs">{pkg.version}</TableCell>
              <TableCell className="text-xs">{pkg.source}</TableCell>
              <TableCell className="pr-4">
                <div className="flex flex-wrap items-center gap-1 text-xs">
                  <span>{pkg.state}</span>
                  {pkg.held && <Badge variant="warning">held</Badge>}
                  {pkg.broken && <Badge variant="destructive">broken</Badge>}
                </div>
              </TableCell>
            </TableRow>
          ))}
        </TableBody>
      </Table>
      <div className="border-t px-4">
        <Pagination page={page} pageSize={pageSize} total={packages.total} path={path} query={{ pkgq: search }} pageParam="pkgpage" noun="packages" />
      </div>
    </Card>
  );
}
