"""Reference values for packages/io/test/mnist.test.ts, read from Debian's dataset-fashion-mnist
files with gzip + numpy, and the float32 pixel scaling/normalisation computed with PyTorch.

Run: /usr/bin/python3 packages/io/scripts/gen_data_fixtures.py
"""
import gzip
import json
import os

import numpy as np
import torch

ROOT = '/usr/share/datasets/fashion-mnist'
OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures', 'data', 'fashion_mnist.json')


def read_idx(path):
    with gzip.open(path, 'rb') as f:
        data = f.read()
    assert data[0] == 0 and data[1] == 0 and data[2] == 0x08
    ndim = data[3]
    dims = [int.from_bytes(data[4 + 4 * i: 8 + 4 * i], 'big') for i in range(ndim)]
    return np.frombuffer(data, dtype=np.uint8, offset=4 + 4 * ndim).reshape(dims)


def split(prefix):
    images = read_idx(os.path.join(ROOT, f'{prefix}-images-idx3-ubyte.gz'))
    labels = read_idx(os.path.join(ROOT, f'{prefix}-labels-idx1-ubyte.gz'))
    scaled = images.astype(np.float64) / 255
    return {
        'length': int(labels.shape[0]),
        'image_shape': list(images.shape[1:]),
        'first_labels': labels[:20].astype(int).tolist(),
        'last_label': int(labels[-1]),
        'label_counts': np.bincount(labels, minlength=10).astype(int).tolist(),
        'image0': images[0].reshape(-1).astype(int).tolist(),
        'image_sums': {str(i): int(images[i].astype(np.int64).sum()) for i in [0, 1, 1234, labels.shape[0] - 1]},
        'pixel_mean': float(scaled.mean()),
        'pixel_std': float(scaled.std()),
    }


values = torch.arange(256, dtype=torch.uint8)
scaled = values.float().div(255)
# torchvision's Normalize: tensor.sub_(mean).div_(std) with float32 mean/std tensors.
normalized = scaled.sub(torch.tensor(0.286)).div(torch.tensor(0.353))

fixture = {
    'source': 'Debian dataset-fashion-mnist, ' + ROOT,
    'train': split('train'),
    'test': split('t10k'),
    'scaled_lut': [float(v) for v in scaled.tolist()],
    'normalized_lut': [float(v) for v in normalized.tolist()],
}
os.makedirs(os.path.dirname(OUT), exist_ok=True)
with open(OUT, 'w') as f:
    json.dump(fixture, f)
    f.write('\n')
print('wrote', OUT)
