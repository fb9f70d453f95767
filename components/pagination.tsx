import Link from 'next/link';
import { ChevronLeft, ChevronRight } from 'lucide-react';
import { buttonVariants } from '@/components/ui/button';
import { cn } from '@/lib/utils';

export interface PaginationProps {
  /** The 1-based page being shown. */
  page: number;
  pageSize: number;
  total: number;
  /** Path the links point to, such as `/hosts`. */
  path: string;
  /** Query parameters to keep on every link; empty values are dropped. */
  query: Record<string, string | undefined>;
  /** Name of the query parameter that carries the page number. */
  pageParam?: string;
  /** Noun for the counted items, such as "hosts". */
  noun: string;
}

function pageHref(path: string, query: PaginationProps['query'], pageParam: string, page: number): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(query)) {
    if (value) {
      params.set(key, value);
    }
  }
  if (page > 1) {
    params.set(pageParam, String(page));
  }

  const search = params.toString();
  return search ? `${path}?${search}` : path;
}

/** Previous and next links with the visible range and the total count. */
export function Pagination({ page, pageSize, total, path, query, pageParam = 'page', noun }: PaginationProps) {
  const pageCount = Math.max(1, Math.ceil(total / pageSize));
  const first = total === 0 ? 0 : (page - 1) * pageSize + 1;
  const last = Math.min(total, page * pageSize);
  const linkClass = buttonVariants({ variant: 'outline', size: 'sm' });
  const disabledClass = cn(linkClass, 'pointer-events-none opacity-50');

  return (
    <div className="flex items-center justify-between gap-4 py-3 text-sm text-muted-foreground">
      <span data-testid="pagination-range">
        {first}–{last} of {total} {noun}
      </span>
      <div className="flex items-center gap-2">
        {page > 1 ? (
          <Link className={linkClass} href={pageHref(path, query, pageParam, page - 1)} rel="prev">
            <ChevronLeft aria-hidden /> Previous
          </Link>
        ) : (
          <span className={disabledClass} aria-disabled>
            <ChevronLeft aria-hidden /> Previous
          </span>
        )}
        <span>
          Page {page} of {pageCount}
        </span>
        {page < pageCount ? (
          <Link className={linkClass} href={pageHref(path, query, pageParam, page + 1)} rel="next">
            Next <ChevronRight aria-hidden />
          </Link>
        ) : (
          <span className={disabledClass} aria-disabled>
            Next <ChevronRight aria-hidden />
          </span>
        )}
      </div>
    </div>
  );
}
