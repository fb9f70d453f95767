/**
 * Reads `LC_ALL=C apt-mark showhold` output: one held package per line, a
 * package of a foreign architecture as `name:arch`. Returns each name once,
 * in output order.
 */
export function parseAptMarkShowhold(stdout: string): string[] {
  const names: string[] = [];

  for (const line of stdout.split('\n')) {
    const name = line.trim();
    if (name === '' || names.includes(name)) continue;
    names.push(name);
  }

  return names;
}
