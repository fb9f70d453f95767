import os from 'node:os';
import { describe, expect, it } from 'vitest';
import { calibrateArgon2, chooseRecommendation, type Measurement } from '@/lib/auth/calibrate-argon2';
import { runCalibrateCommand } from '@/lib/auth/calibrate-command';
import { ValidationError } from '@/lib/errors';

function captureIo(args: string[]) {
  let stdout = '';
  let stderr = '';
  return {
    io: {
      args,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    },
    output: () => ({ stdout, stderr }),
  };
}

describe('calibrateArgon2', () => {
  it('measures real hash times and never lowers memory', async () => {
    const result = await calibrateArgon2({ targetMinMs: 1, targetMaxMs: 100_000, samples: 1, maxTimeCost: 3 });

    expect(result.cores).toBe(os.availableParallelism());
    expect(result.current).toMatchObject({ memoryCost: 65536, timeCost: 3, parallelism: 1 });
    expect(result.measurements.map((entry) => entry.timeCost)).toEqual([1, 2, 3]);
    for (const entry of result.measurements) {
      expect(entry.memoryCost).toBe(65536);
      expect(entry.samplesMs).toHaveLength(1);
      // A 64 MiB Argon2id hash takes milliseconds, never zero.
      expect(entry.medianMs).toBeGreaterThan(1);
    }
  });

  it('proposes the measured set nearest the target middle', async () => {
    // Which set is slowest depends on the machine's load, so the expectation is
    // computed from the run's own measurements; chooseRecommendation has fixed cases below.
    const result = await calibrateArgon2({ targetMinMs: 1, targetMaxMs: 100_000, samples: 1, maxTimeCost: 3 });
    const slowest = result.measurements.reduce((best, entry) => (entry.medianMs > best.medianMs ? entry : best));

    expect(result.recommended).toMatchObject({ timeCost: slowest.timeCost, parallelism: slowest.parallelism, withinTarget: true });
  });

  it('reports the nearest set when the target is unreachable', async () => {
    // No 64 MiB hash finishes within a millisecond, so the fastest measured set is proposed.
    const result = await calibrateArgon2({ targetMinMs: 0.001, targetMaxMs: 0.002, samples: 1, maxTimeCost: 2, maxParallelism: 2 });
    expect(result.recommended.withinTarget).toBe(false);
    const fastest = Math.min(...result.measurements.map((entry) => entry.medianMs));
    expect(result.recommended.medianMs).toBe(fastest);
  });

  it('rejects memory below 64 MiB', async () => {
    await expect(calibrateArgon2({ targetMinMs: 250, targetMaxMs: 500, memoryCost: 32_768 })).rejects.toThrow(ValidationError);
  });

  it('rejects an inverted target range', async () => {
    await expect(calibrateArgon2({ targetMinMs: 500, targetMaxMs: 250 })).rejects.toThrow(/target range 500-250 ms is invalid/);
  });
});

describe('runCalibrateCommand', () => {
  it('prints a table and a recommendation', async () => {
    const { io, output } = captureIo(['--min-ms', '1', '--max-ms', '100000', '--samples', '1']);
    const status = await runCalibrateCommand(io);
    const { stdout, stderr } = output();

    expect(status).toBe(0);
    expect(stderr).toBe('');
    expect(stdout).toMatch(/memory \(KiB\)\s+t\s+p\s+median \(ms\)\s+in target/);
    expect(stdout).toMatch(/65536\s+3\s+1\s+[\d.]+\s+yes\s+current/);
    expect(stdout).toMatch(/Recommended: m=65536 KiB, t=\d+, p=1 \(median [\d.]+ ms\)/);
  });

  it('rejects a non-numeric option with status 2', async () => {
    const { io, output } = captureIo(['--min-ms', 'fast']);
    expect(await runCalibrateCommand(io)).toBe(2);
    expect(output().stderr).toBe('patch-manager auth calibrate: --min-ms: expected a whole number, got "fast"\n');
  });

  it('rejects an unknown option with the help text', async () => {
    const { io, output } = captureIo(['--memory', '1']);
    expect(await runCalibrateCommand(io)).toBe(2);
    expect(output().stderr).toMatch(/Unknown option '--memory'/);
    expect(output().stderr).toMatch(/Usage: patch-manager auth calibrate/);
  });
});

describe('chooseRecommendation', () => {
  const range = { min: 250, max: 500 };
  const set = (timeCost: number, parallelism: number, medianMs: number): Measurement => ({
    memoryCost: 65536,
    timeCost,
    parallelism,
    medianMs,
    samplesMs: [medianMs],
    withinTarget: medianMs >= range.min && medianMs <= range.max,
  });

  it('picks the set nearest the middle of the range', () => {
    const measurements = [set(5, 1, 235), set(6, 1, 278), set(8, 1, 377), set(9, 1, 433), set(10, 1, 451)];
    expect(chooseRecommendation(measurements, range)).toMatchObject({ timeCost: 8, withinTarget: true });
  });

  it('prefers fewer lanes over a closer time', () => {
    const measurements = [set(1, 1, 490), set(1, 2, 260), set(2, 2, 375)];
    expect(chooseRecommendation(measurements, range)).toMatchObject({ timeCost: 1, parallelism: 1 });
  });

  it('picks the strongest fast set when none fits', () => {
    const measurements = [set(1, 1, 120), set(2, 1, 230), set(3, 1, 520)];
    expect(chooseRecommendation(measurements, range)).toMatchObject({ timeCost: 2, withinTarget: false });
  });

  it('picks the fastest set when all are too slow', () => {
    const measurements = [set(1, 1, 900), set(1, 2, 610)];
    expect(chooseRecommendation(measurements, range)).toMatchObject({ parallelism: 2, withinTarget: false });
  });
});
