import { csvCell } from '@/lib/audit/export-audit-csv';

export { csvCell };

/** The cells of one CSV record; null is an empty cell. */
export type CsvCells = (string | number | boolean | null)[];

/** Formats one CSV record with CRLF line end (RFC 4180), guarding each cell against formula injection. */
export function csvLine(cells: CsvCells): string {
  return `${cells.map((cell) => csvCell(typeof cell === 'boolean' ? String(cell) : cell)).join(',')}\r\n`;
}

/**
 * Builds a CSV byte stream: the header line, then each batch `nextBatch`
 * returns until it returns null. Batches are fetched only as the consumer
 * reads, so memory stays bounded by one batch for any report size.
 */
export function csvStream(header: readonly string[], nextBatch: () => Promise<CsvCells[] | null>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let headerSent = false;

  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!headerSent) {
        headerSent = true;
        controller.enqueue(encoder.encode(csvLine([...header])));
        return;
      }

      const batch = await nextBatch();
      if (batch === null) {
        controller.close();
        return;
      }
      controller.enqueue(encoder.encode(batch.map((cells) => csvLine(cells)).join('')));
    },
  });
}

/** Response headers for a CSV download named `<name>-<UTC day>.csv`. */
export function csvHeaders(name: string): HeadersInit {
  const date = new Date().toISOString().slice(0, 10);
  return {
    'content-type': 'text/csv; charset=utf-8',
    'content-disposition': `attachment; filename="${name}-${date}.csv"`,
    'cache-control': 'no-store',
  };
}
