"""Generates packages/ops-nn/test/fixtures/transformer-encoder.json: PyTorch's nn.TransformerEncoder
(state-dict keys, repr, eval-mode outputs with and without a key padding mask for the saved
weights). Run with /usr/bin/python3 (PyTorch 1.13)."""
import json
import os

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')


def enc(t):
    t = t.detach()
    dtype = {torch.float32: 'float32', torch.float64: 'float64', torch.bool: 'bool'}[t.dtype]
    return {'shape': list(t.shape), 'dtype': dtype, 'data': t.flatten().tolist()}


def main():
    torch.manual_seed(0)
    layer = nn.TransformerEncoderLayer(d_model=8, nhead=2, dim_feedforward=16, dropout=0.0,
                                       batch_first=True)
    model = nn.TransformerEncoder(layer, num_layers=2, norm=nn.LayerNorm(8))
    # Distinct weights per layer, so a layer order or sharing mistake shows in the output.
    with torch.no_grad():
        for p in model.parameters():
            p.add_(torch.randn_like(p) * 0.1)
    model.eval()
    x = torch.randn(2, 5, 8)
    pad = torch.tensor([[False, False, False, True, True], [False] * 5])
    causal = nn.Transformer.generate_square_subsequent_mask(5)
    # Grad mode stays on so that PyTorch takes its dense path (its nested-tensor fast path, taken
    # under no_grad, writes zeros at padded positions instead of the computed values).
    fixtures = {
        'keys': list(model.state_dict().keys()),
        'state': {k: enc(v) for k, v in model.state_dict().items()},
        'repr': repr(model),
        'input': enc(x),
        'padMask': enc(pad),
        'out': enc(model(x)),
        'outPadded': enc(model(x, src_key_padding_mask=pad)),
        'outCausal': enc(model(x, mask=causal)),
        'noNormKeys': list(nn.TransformerEncoder(layer, 3).state_dict().keys()),
    }
    with open(os.path.join(OUT, 'transformer-encoder.json'), 'w') as f:
        json.dump(fixtures, f)
        f.write('\n')


if __name__ == '__main__':
    main()
