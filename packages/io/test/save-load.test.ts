import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as torch from 'autodag';
import { describe, expect, it } from 'vitest';
import { FIXTURES } from './formats-fixtures.js';

const { save, load, saveToBytes, loadFromBytes, safetensors, npz, npy } = torch.io;

/**
 * The tensors behind the committed autodag_written.* fixtures; gen_io_fixtures.py --verify defines
 * the same ones and checks the files with numpy and PyTorch. Set AUTODAG_WRITE_FIXTURES=1 to
 * rewrite the files after a deliberate format change.
 */
function autodagWritten(): Record<string, torch.Tensor> {
  return {
    weight: torch.arange(12, undefined, 1, { dtype: 'float32' }).reshape(3, 4).div(8).sub(0.5),
    bias: torch.tensor([0.1, -2.5, 1e-300], { dtype: 'float64' }),
    labels: torch.tensor([0, -1, 2147483647, -2147483648], { dtype: 'int32' }),
    mask: torch.tensor([
      [true, false],
      [false, true],
    ]),
    scalar: torch.tensor(3.5),
    empty: torch.zeros(0, 2),
    transposed: torch
      .tensor([
        [1, 2, 3],
        [4, 5, 6],
      ])
      .t(),
  };
}

function autodagWrittenSafetensors(): Uint8Array {
  const tensors = {
    ...autodagWritten(),
    half: torch.tensor([1, 0.1, 65504, 1e-8, -70000]),
    bhalf: torch.tensor([1, 0.1, -3.3e38]),
    long: torch.tensor([5, -7, 2147483647], { dtype: 'int32' }),
  };
  return safetensors.serialize(tensors, {
    metadata: { format: 'pt', note: 'ünïcode ✓' },
    dtypes: { half: 'F16', bhalf: 'BF16', long: 'I64' },
  });
}

const written: [string, () => Uint8Array][] = [
  ['autodag_written.safetensors', autodagWrittenSafetensors],
  ['autodag_written.npz', () => npz.serialize(autodagWritten())],
  ['autodag_written_compressed.npz', () => npz.serialize(autodagWritten(), { compressed: true })],
  ['autodag_written.npy', () => npy.serialize(autodagWritten().transposed!)],
];

describe('files autodag writes (checked by numpy/PyTorch: gen_io_fixtures.py --verify)', () => {
  for (const [name, make] of written) {
    it(`${name} is reproduced byte for byte`, () => {
      const bytes = make();
      const path = join(FIXTURES, name);
      if (process.env.AUTODAG_WRITE_FIXTURES === '1') writeFileSync(path, bytes);
      expect(Buffer.from(bytes).equals(readFileSync(path))).toBe(true);
    });
  }
});

describe('save / load', () => {
  const dir = mkdtempSync(join(tmpdir(), 'autodag-io-'));
  const tensors = autodagWritten();

  for (const ext of ['safetensors', 'npz', 'NPZ']) {
    it(`round-trips named tensors through .${ext}`, async () => {
      const path = join(dir, `model.${ext}`);
      await save(tensors, path);
      const back = await load(path);
      expect(Object.keys(back).sort()).toEqual(Object.keys(tensors).sort());
      for (const [name, t] of Object.entries(tensors)) {
        expect(back[name]!.dtype).toBe(t.dtype);
        expect(back[name]!.tolist()).toEqual(t.tolist());
      }
    });
  }

  it('.npy holds one tensor, named after the file when loaded', async () => {
    const path = join(dir, 'weights.npy');
    await save({ w: tensors.weight! }, path);
    const back = await load(path);
    expect(Object.keys(back)).toEqual(['weights']);
    expect(back.weights!.tolist()).toEqual(tensors.weight!.tolist());
    await save(tensors.mask!, join(dir, 'mask.npy'));
    expect((await load(join(dir, 'mask.npy'))).mask!.tolist()).toEqual(tensors.mask!.tolist());
    await expect(save(tensors, join(dir, 'all.npy'))).rejects.toThrow(
      /^save: the npy format holds exactly one tensor; got 7 entries/,
    );
    await expect(save(tensors.bias!, join(dir, 'bias.npz'))).rejects.toThrow(
      /^save: npz stores named tensors/,
    );
    await expect(save(tensors, join(dir, 'x.npy'), { format: 'pickle' as never })).rejects.toThrow(
      /^save: unknown format "pickle"/,
    );
  });

  it('format option and format sniffing', async () => {
    const path = join(dir, 'model.bin');
    await expect(save(tensors, path)).rejects.toThrow(/cannot tell the format of '.*model.bin'/);
    await save(tensors, path, { format: 'npz', compressed: true });
    expect(Object.keys(await load(path)).length).toBe(7); // sniffed as a zip
    expect(Object.keys(await load(path, { format: 'npz' })).length).toBe(7);
    await save({ x: tensors.weight! }, path, { format: 'safetensors', metadata: { a: 'b' } });
    expect(safetensors.deserialize(new Uint8Array(readFileSync(path))).metadata).toEqual({
      a: 'b',
    });
  });

  it('saveToBytes / loadFromBytes in every format', async () => {
    for (const format of ['safetensors', 'npz'] as const) {
      const bytes = await saveToBytes(tensors, { format });
      const back = loadFromBytes(bytes);
      expect(back.labels!.tolist()).toEqual(tensors.labels!.tolist());
      expect(loadFromBytes(bytes, { format }).scalar!.item()).toBe(3.5);
    }
    const one = await saveToBytes(tensors.bias!, { format: 'npy' });
    expect(loadFromBytes(one).arr_0!.tolist()).toEqual(tensors.bias!.tolist());
    await expect(saveToBytes(tensors, { format: 'pickle' as never })).rejects.toThrow(
      /saveToBytes: unknown format "pickle" \(expected one of safetensors, npz, npy\)/,
    );
    await expect(saveToBytes(tensors.bias!, { format: 'npz' })).rejects.toThrow(
      /npz stores named tensors/,
    );
    expect(() => loadFromBytes(new Uint8Array([1, 2, 3]))).toThrow(torch.io.SafetensorsError);
  });

  it('saveToBytes defaults to safetensors, which loadFromBytes recognises', async () => {
    const bytes = await saveToBytes(tensors);
    expect(Object.keys(safetensors.deserialize(bytes).tensors).sort()).toEqual(
      Object.keys(tensors).sort(),
    );
    expect(loadFromBytes(bytes).weight!.tolist()).toEqual(tensors.weight!.tolist());
    await expect(saveToBytes(tensors.bias!)).rejects.toThrow(
      /^saveToBytes: safetensors stores named tensors; pass an object such as \{ x: tensor \}, or \{ format: 'npy' \}/,
    );
    const path = join(dir, 'default.safetensors');
    await save(tensors, path);
    expect(Buffer.from(readFileSync(path)).equals(Buffer.from(bytes))).toBe(true);
  });

  it('npz limits pass through loadFromBytes and load', async () => {
    const bytes = await saveToBytes(tensors, { format: 'npz', compressed: true });
    expect(() => loadFromBytes(bytes, { maxEntries: 6 })).toThrow(
      /^npz: archive lists 7 entries, more than the limit of 6 \(raise it with the maxEntries option\)/,
    );
    expect(() => loadFromBytes(bytes, { maxInflatedBytes: 100 })).toThrow(
      /more than the limit of 100 bytes \(raise it with the maxInflatedBytes option\)/,
    );
    const path = join(dir, 'limited.npz');
    await save(tensors, path, { compressed: true });
    await expect(load(path, { maxEntries: 6 })).rejects.toThrow(torch.io.NpzError);
    expect(Object.keys(await load(path, { maxEntries: 7 })).length).toBe(7);
  });

  it('errors from a damaged file name the format', async () => {
    const path = join(dir, 'bad.safetensors');
    writeFileSync(path, new Uint8Array([200, 0, 0, 0, 0, 0, 0, 0, 123]));
    await expect(load(path)).rejects.toThrow(
      /safetensors: header length 200 runs past the end of the file/,
    );
    await expect(load(join(dir, 'missing.npz'))).rejects.toThrow(/ENOENT/);
  });
});
