'use client';

import { Printer } from 'lucide-react';
import { Button } from '@/components/ui/button';

/** Opens the browser's print dialog; hidden in the printout itself. */
export function PrintButton() {
  return (
    <Button type="button" variant="outline" className="print:hidden" onClick={() => window.print()} data-testid="print-button">
      <Printer aria-hidden /> Print
    </Button>
  );
}
