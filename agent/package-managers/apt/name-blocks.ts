/**
 * Reads the package names of an apt block such as
 * `The following packages have been kept back:`. The names follow the header
 * on indented lines, separated by one space (apt 2) or two (apt 3), and the
 * block ends at the first line that is empty or not indented.
 */
export function readNameBlock(lines: readonly string[], headerIndex: number): string[] {
  const names: string[] = [];

  for (let index = headerIndex + 1; index < lines.length; index += 1) {
    const line = lines[index] ?? '';
    if (!/^\s/.test(line) || line.trim() === '') break;
    names.push(...line.trim().split(/\s+/));
  }

  return names;
}

/** Returns the names of every block whose header is one of `headers`, each name once, in output order. */
export function readNameBlocks(lines: readonly string[], headers: readonly string[]): string[] {
  const names: string[] = [];

  lines.forEach((line, index) => {
    if (!headers.includes(line.trim())) return;
    for (const name of readNameBlock(lines, index)) {
      if (!names.includes(name)) names.push(name);
    }
  });

  return names;
}
