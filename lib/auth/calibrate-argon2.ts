import os from 'node:os';
import { randomBytes } from 'node:crypto';
import argon2 from 'argon2';
import { ValidationError } from '@/lib/errors';
import { MIN_MEMORY_COST_KIB, PASSWORD_HASH_LENGTH, PASSWORD_HASH_PARAMS, type Argon2Params } from './password-params';

export interface CalibrationOptions {
  /** Lower end of the wanted hash time in milliseconds. */
  targetMinMs: number;
  /** Upper end of the wanted hash time in milliseconds. */
  targetMaxMs: number;
  /** Memory cost in KiB; at least 65536 (64 MiB), which is also the default. */
  memoryCost?: number;
  /** Highest lane count tried; at most the number of CPU cores, which is also the default. */
  maxParallelism?: number;
  /** Highest pass count tried; default 10. */
  maxTimeCost?: number;
  /** Hashes timed per parameter set; the median counts. Default 3. */
  samples?: number;
}

export interface Measurement extends Argon2Params {
  /** Median wall-clock time of one hash in milliseconds. */
  medianMs: number;
  /** Every timed hash in milliseconds, in the order they ran. */
  samplesMs: number[];
  /** The median lies within the target range. */
  withinTarget: boolean;
}

export interface CalibrationResult {
  /** CPU cores Node.js reports for this machine (`os.availableParallelism`). */
  cores: number;
  /** The time of the current default parameters (`PASSWORD_HASH_PARAMS`). */
  current: Measurement;
  /**
   * The proposal: at the fewest lanes, the set within the target whose time is nearest
   * the middle of the range, which leaves headroom for a loaded machine. When nothing
   * lands in the target it is the nearest set measured, with `withinTarget: false`.
   */
  recommended: Measurement;
  /** Every parameter set measured, in the order they ran. */
  measurements: Measurement[];
}

/**
 * Times Argon2id hashing on this machine and proposes the cost parameters whose median
 * hash time lies in [targetMinMs, targetMaxMs]. Memory never goes below 64 MiB. It raises
 * the pass count `t` at one lane first, because extra lanes use extra threads per login
 * and so cut how many logins run at once. Only when one pass at one lane is already too
 * slow does it try more lanes, up to the number of cores. Each measured hash costs real
 * CPU time, so a run takes a few seconds.
 */
export async function calibrateArgon2(options: CalibrationOptions): Promise<CalibrationResult> {
  const cores = os.availableParallelism();
  const settings = checkOptions(options, cores);
  const range = { min: options.targetMinMs, max: options.targetMaxMs };
  const measurements: Measurement[] = [];

  const current = await measure(PASSWORD_HASH_PARAMS, settings.samples, range);

  for (let parallelism = 1; parallelism <= settings.maxParallelism; parallelism++) {
    for (let timeCost = 1; timeCost <= settings.maxTimeCost; timeCost++) {
      const measurement = await measure({ memoryCost: settings.memoryCost, timeCost, parallelism }, settings.samples, range);
      measurements.push(measurement);
      if (measurement.medianMs > range.max) {
        break;
      }
    }

    const fitting = measurements.filter((entry) => entry.parallelism === parallelism && entry.withinTarget);
    if (fitting.length > 0) {
      break;
    }

    // More lanes only help when even one pass is too slow.
    const onePass = measurements.find((entry) => entry.parallelism === parallelism && entry.timeCost === 1);
    if (onePass && onePass.medianMs <= range.max) {
      break;
    }
  }

  return { cores, current, recommended: chooseRecommendation(measurements, range), measurements };
}

function checkOptions(options: CalibrationOptions, cores: number) {
  const { targetMinMs, targetMaxMs } = options;
  if (!(targetMinMs > 0) || !(targetMaxMs >= targetMinMs)) {
    throw new ValidationError(
      `target range ${targetMinMs}-${targetMaxMs} ms is invalid; give a positive minimum and a maximum at least as large`,
    );
  }

  const memoryCost = options.memoryCost ?? MIN_MEMORY_COST_KIB;
  if (!Number.isInteger(memoryCost) || memoryCost < MIN_MEMORY_COST_KIB) {
    throw new ValidationError(`memory cost ${memoryCost} KiB is below the minimum of ${MIN_MEMORY_COST_KIB} KiB (64 MiB)`);
  }

  const maxParallelism = Math.min(options.maxParallelism ?? cores, cores);
  const maxTimeCost = options.maxTimeCost ?? 10;
  const samples = options.samples ?? 3;
  for (const [name, value] of [
    ['maxParallelism', maxParallelism],
    ['maxTimeCost', maxTimeCost],
    ['samples', samples],
  ] as const) {
    if (!Number.isInteger(value) || value < 1) {
      throw new ValidationError(`${name} ${value} is invalid; expected a whole number of at least 1`);
    }
  }

  return { memoryCost, maxParallelism, maxTimeCost, samples };
}

async function measure(params: Argon2Params, samples: number, range: { min: number; max: number }): Promise<Measurement> {
  const password = randomBytes(16).toString('base64url');
  const samplesMs: number[] = [];

  for (let index = 0; index < samples; index++) {
    const started = performance.now();
    await argon2.hash(password, {
      type: argon2.argon2id,
      memoryCost: params.memoryCost,
      timeCost: params.timeCost,
      parallelism: params.parallelism,
      hashLength: PASSWORD_HASH_LENGTH,
    });
    samplesMs.push(Math.round((performance.now() - started) * 10) / 10);
  }

  const sorted = [...samplesMs].sort((a, b) => a - b);
  const medianMs = sorted[Math.floor(sorted.length / 2)]!;
  return { ...params, medianMs, samplesMs, withinTarget: medianMs >= range.min && medianMs <= range.max };
}

/**
 * Picks the proposal from measured sets, as described for `CalibrationResult.recommended`.
 * Exported so the choice can be tested with fixed timings.
 */
export function chooseRecommendation(measurements: Measurement[], range: { min: number; max: number }): Measurement {
  const fitting = measurements.filter((entry) => entry.withinTarget);
  if (fitting.length > 0) {
    const fewestLanes = Math.min(...fitting.map((entry) => entry.parallelism));
    const candidates = fitting.filter((entry) => entry.parallelism === fewestLanes);
    const middle = (range.min + range.max) / 2;
    const distance = (entry: Measurement) => Math.abs(entry.medianMs - middle);
    return candidates.reduce((best, entry) => (distance(entry) < distance(best) ? entry : best));
  }

  // Nothing fits: take the strongest set that is still fast enough, else the fastest one.
  const fastEnough = measurements.filter((entry) => entry.medianMs <= range.max);
  if (fastEnough.length > 0) {
    return fastEnough.reduce((best, entry) => (entry.medianMs > best.medianMs ? entry : best));
  }
  return measurements.reduce((best, entry) => (entry.medianMs < best.medianMs ? entry : best));
}
