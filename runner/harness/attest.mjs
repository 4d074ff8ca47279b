// The result attestation shared by the test workers (which sign) and the reporter in vitest's
// main process (which checks): an HMAC of a test's id and its verdict, under a key made per run.
import crypto from 'node:crypto';

const createHmac = crypto.createHmac;
const timingSafeEqual = crypto.timingSafeEqual;

/** The name of the error a check fails with when tampering is detected (runner/results/score.ts matches it). */
export const TAMPER_ERROR = 'AilabTamperError';

/** The name under which the config hands each worker the run's attestation key. */
export const KEY_NAME = '__ailab_attest';

/** The attestation of `state` ('pass' or 'fail') for the test `id`; `key` is hex or a KeyObject. */
export function attestation(key, id, state) {
  return createHmac('sha256', typeof key === 'string' ? Buffer.from(key, 'hex') : key).update(`${id}:${state}`).digest('hex');
}

/** True when `signature` attests a pass of test `id` under `key`. */
export function attestsPass(key, id, signature) {
  if (typeof signature !== 'string' || signature.length !== 64) return false;
  return timingSafeEqual(Buffer.from(attestation(key, id, 'pass'), 'hex'), Buffer.from(signature, 'hex'));
}
