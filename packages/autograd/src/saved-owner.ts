import type { Tensor } from '@autodag/core';

/**
 * Which tensors graph nodes hold for backward, counted, so library temporaries that only the
 * graph can reach (a composite op's intermediates) are freed when the last node holding them is
 * released after backward, instead of when the garbage collector runs.
 */

const savedBy = new WeakMap<Tensor, number>();
const freeWhenUnsaved = new WeakSet<Tensor>();

/** A node saved `t`. */
export function noteSaved(t: Tensor): void {
  savedBy.set(t, (savedBy.get(t) ?? 0) + 1);
}

/** A node that saved `t` was released. */
export function noteUnsaved(t: Tensor): void {
  const left = (savedBy.get(t) ?? 1) - 1;
  if (left > 0) {
    savedBy.set(t, left);
    return;
  }
  savedBy.delete(t);
  if (freeWhenUnsaved.delete(t)) t.dispose();
}

/**
 * Disposes a temporary nobody but the graph can reach: now if no node saved it, else when the
 * last node that did is released.
 * @example releaseWhenUnsaved(intermediate)
 */
export function releaseWhenUnsaved(t: Tensor): void {
  if (savedBy.has(t)) freeWhenUnsaved.add(t);
  else t.dispose();
}
