import { describe, expect, it } from 'vitest';
import { runCommand } from '@/agent/exec';

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!isAlive(pid)) {
      return true;
    }
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
  return !isAlive(pid);
}

describe('runCommand', () => {
  it('returns the exit code', async () => {
    const result = await runCommand({ command: 'sh', args: ['-c', 'exit 3'], timeoutMs: 5_000 });

    expect(result.exitCode).toBe(3);
    expect(result.signal).toBeNull();
    expect(result.timedOut).toBe(false);
    expect(result.aborted).toBe(false);
  });

  it('captures stdout and stderr apart', async () => {
    const result = await runCommand({
      command: 'sh',
      args: ['-c', 'echo out; echo err >&2'],
      timeoutMs: 5_000,
    });

    expect(result.exitCode).toBe(0);
    expect(result.stdout).toBe('out\n');
    expect(result.stderr).toBe('err\n');
  });

  it('passes arguments without a shell', async () => {
    const result = await runCommand({ command: 'printf', args: ['%s|', '$HOME', 'a b', ';ls'], timeoutMs: 5_000 });

    expect(result.stdout).toBe('$HOME|a b|;ls|');
  });

  it('streams complete lines in order', async () => {
    const lines: Array<[string, string]> = [];
    await runCommand({
      command: 'sh',
      args: ['-c', 'printf "one\\ntwo\\r\\n"; printf "warn\\n" >&2; printf "three"'],
      timeoutMs: 5_000,
      onLine: (stream, line) => lines.push([stream, line]),
    });

    const stdoutLines = lines.filter(([stream]) => stream === 'stdout').map(([, line]) => line);
    const stderrLines = lines.filter(([stream]) => stream === 'stderr').map(([, line]) => line);
    expect(stdoutLines).toEqual(['one', 'two', 'three']);
    expect(stderrLines).toEqual(['warn']);
  });

  it('forces LC_ALL=C over the caller env', async () => {
    const result = await runCommand({
      command: 'sh',
      args: ['-c', 'echo "$LC_ALL|$EXTRA"'],
      env: { LC_ALL: 'de_DE.UTF-8', EXTRA: 'yes' },
      timeoutMs: 5_000,
    });

    expect(result.stdout).toBe('C|yes\n');
  });

  it('inherits PATH from the agent', async () => {
    const result = await runCommand({ command: 'sh', args: ['-c', 'echo "$PATH"'], timeoutMs: 5_000 });

    expect(result.stdout.trim()).toBe(process.env.PATH);
  });

  it('gives the child a closed stdin', async () => {
    const result = await runCommand({
      command: 'sh',
      args: ['-c', 'if read -r line; then echo "got $line"; else echo eof; fi; readlink /proc/self/fd/0'],
      timeoutMs: 5_000,
    });

    expect(result.stdout).toBe('eof\n/dev/null\n');
  });

  it('kills the process group on timeout', async () => {
    const started = Date.now();
    const result = await runCommand({
      command: 'sh',
      args: ['-c', 'sleep 30 & echo $!; wait'],
      timeoutMs: 300,
    });

    const grandchild = Number(result.stdout.trim());
    expect(result.timedOut).toBe(true);
    expect(result.aborted).toBe(false);
    expect(result.exitCode).toBeNull();
    expect(result.signal).toBe('SIGTERM');
    expect(Date.now() - started).toBeLessThan(5_000);
    expect(grandchild).toBeGreaterThan(0);
    expect(await waitUntilGone(grandchild, 2_000)).toBe(true);
  });

  it('sends SIGKILL when SIGTERM is ignored', async () => {
    const result = await runCommand({
      command: 'sh',
      args: ['-c', 'trap "" TERM; while :; do sleep 0.05; done'],
      timeoutMs: 200,
      killGraceMs: 300,
    });

    expect(result.timedOut).toBe(true);
    expect(result.signal).toBe('SIGKILL');
  });

  it('stops the run on abort', async () => {
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);

    const result = await runCommand({
      command: 'sleep',
      args: ['30'],
      timeoutMs: 10_000,
      signal: controller.signal,
    });

    expect(result.aborted).toBe(true);
    expect(result.timedOut).toBe(false);
    expect(result.signal).toBe('SIGTERM');
  });

  it('skips the start when already aborted', async () => {
    const controller = new AbortController();
    controller.abort();

    const result = await runCommand({
      command: 'sh',
      args: ['-c', 'echo started'],
      timeoutMs: 5_000,
      signal: controller.signal,
    });

    expect(result.aborted).toBe(true);
    expect(result.exitCode).toBeNull();
    expect(result.stdout).toBe('');
  });

  it('keeps the output tail over the cap', async () => {
    let lineCount = 0;
    const result = await runCommand({
      command: 'seq',
      args: ['1', '100000'],
      timeoutMs: 10_000,
      maxOutputBytes: 1_000,
      onLine: () => {
        lineCount += 1;
      },
    });

    const lines = result.stdout.split('\n');
    expect(lineCount).toBe(100_000);
    expect(lines[0]).toMatch(/^\[output truncated: \d+ earlier bytes dropped\]$/);
    expect(lines[1]).toMatch(/^\d+$/);
    expect(result.stdout.endsWith('99999\n100000\n')).toBe(true);
    expect(Buffer.byteLength(result.stdout)).toBeLessThan(1_100);
  });

  it('keeps multibyte characters whole across chunks', async () => {
    const lines: string[] = [];
    const result = await runCommand({
      command: 'sh',
      args: ['-c', 'printf "\\303"; sleep 0.1; printf "\\251t\\303\\251\\n"'],
      timeoutMs: 5_000,
      onLine: (_stream, line) => lines.push(line),
    });

    expect(lines).toEqual(['été']);
    expect(result.stdout).toBe('été\n');
  });

  it('rejects when the program is missing', async () => {
    await expect(
      runCommand({ command: 'pm-agent-no-such-program', args: [], timeoutMs: 5_000 }),
    ).rejects.toThrow(/Failed to start pm-agent-no-such-program: .*ENOENT/);
  });
});
