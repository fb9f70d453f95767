import { Search } from 'lucide-react';
import { Button } from '@/components/ui/button';
import { Input } from '@/components/ui/input';
import { Label } from '@/components/ui/label';

/**
 * A GET form choosing a period of UTC days, so the chosen period is in the URL
 * and a printed or shared page shows the same figures. `children` adds fields.
 */
export function ReportPeriodForm({ action, from, to, children }: { action: string; from: string; to: string; children?: React.ReactNode }) {
  return (
    <form method="get" action={action} className="flex flex-wrap items-end gap-3" data-print="hide">
      <div className="flex w-44 flex-col gap-1.5">
        <Label htmlFor="report-from">From (UTC)</Label>
        <Input id="report-from" name="from" type="date" defaultValue={from} required />
      </div>
      <div className="flex w-44 flex-col gap-1.5">
        <Label htmlFor="report-to">To (UTC)</Label>
        <Input id="report-to" name="to" type="date" defaultValue={to} required />
      </div>
      {children}
      <Button type="submit" variant="secondary">
        <Search aria-hidden /> Apply
      </Button>
    </form>
  );
}
