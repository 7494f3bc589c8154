import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';

describe('review: views validate their arguments instead of reading out of bounds', () => {
  it('narrow rejects a 0-d tensor and non-integer start/length', () => {
    expect(() => torch.tensor(5).narrow(0, 0, 3)).toThrow(
      'narrow() cannot be applied to a 0-dim tensor.',
    );
    expect(() => torch.arange(6).narrow(0, 1.5, 2)).toThrow(/narrow/);
    expect(() => torch.arange(6).narrow(0, 1, 2.5)).toThrow(/narrow/);
    expect(torch.arange(6).narrow(0, -2, 2).tolist()).toEqual([4, 5]);
  });
});
