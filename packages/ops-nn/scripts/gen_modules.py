"""Generates packages/ops-nn/test/fixtures/modules*.json: PyTorch's nn.Module behaviour
(state-dict keys/order/shapes, reprs, forward outputs given the saved weights, load_state_dict
errors, seeded default initialisation). Run with /usr/bin/python3 (PyTorch 1.13)."""
import json
import math
import os

import torch
import torch.nn as nn

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')


def enc(t):
    t = t.detach()
    dtype = {torch.float32: 'float32', torch.float64: 'float64', torch.int64: 'int32',
             torch.int32: 'int32', torch.bool: 'bool'}[t.dtype]
    # JSON has no infinities: non-finite values are written as strings.
    data = [v if not isinstance(v, float) or math.isfinite(v) else str(v)
            for v in t.flatten().tolist()]
    return {'shape': list(t.shape), 'dtype': dtype, 'data': data}


def sd(m):
    return {k: enc(v) for k, v in m.state_dict().items()}


def error_text(fn):
    try:
        fn()
    except RuntimeError as e:
        return str(e)
    raise AssertionError('expected an error')


class Block(nn.Module):
    def __init__(self):
        super().__init__()
        self.conv = nn.Conv2d(2, 3, 3, padding=1, bias=False)
        self.bn = nn.BatchNorm2d(3)
        self.register_buffer('step', torch.zeros(2))
        self.register_buffer('cache', torch.zeros(1), persistent=False)
        self.scale = nn.Parameter(torch.ones(3))


class Net(nn.Module):
    def __init__(self):
        super().__init__()
        self.block = Block()
        self.pool = nn.AdaptiveAvgPool2d(1) if False else nn.Identity()
        self.flat = nn.Flatten()
        self.heads = nn.ModuleList([nn.Linear(48, 4), nn.Linear(48, 2)])
        self.extra = nn.ModuleDict({'b': nn.Linear(4, 4), 'a': nn.Tanh()})
        self.shared = self.heads[0]


def main():
    torch.manual_seed(0)
    fixtures = {}

    # Seeded default initialisation.
    init = {}
    torch.manual_seed(0)
    init['linear_4_3'] = sd(nn.Linear(4, 3))
    torch.manual_seed(1)
    init['linear_300_17'] = sd(nn.Linear(300, 17))
    torch.manual_seed(2)
    init['conv2d_3_4_3'] = sd(nn.Conv2d(3, 4, 3))
    torch.manual_seed(3)
    init['conv_transpose2d_4_2_3'] = sd(nn.ConvTranspose2d(4, 2, 3))
    torch.manual_seed(4)
    init['uniform_f32'] = enc(torch.empty(2000).uniform_(-0.37, 0.81))
    torch.manual_seed(5)
    init['uniform_f64'] = enc(torch.empty(50, dtype=torch.float64).uniform_(-2.5, 1.25))
    torch.manual_seed(6)
    w = torch.empty(40, 30)
    nn.init.xavier_uniform_(w, gain=nn.init.calculate_gain('tanh'))
    init['xavier_uniform_40_30_tanh'] = enc(w)
    torch.manual_seed(7)
    w = torch.empty(16, 8, 3, 3)
    nn.init.kaiming_uniform_(w, mode='fan_out', nonlinearity='relu')
    init['kaiming_uniform_fan_out_relu'] = enc(w)
    init['gains'] = {k: nn.init.calculate_gain(*a) for k, a in {
        'linear': ('linear',), 'tanh': ('tanh',), 'relu': ('relu',), 'leaky_relu': ('leaky_relu',),
        'leaky_relu_0.2': ('leaky_relu', 0.2), 'selu': ('selu',), 'sigmoid': ('sigmoid',)}.items()}
    fixtures['init'] = init

    # Sequential with batch norm: keys, repr, forward in train and eval modes.
    torch.manual_seed(10)
    seq = nn.Sequential(nn.Linear(4, 6), nn.BatchNorm1d(6), nn.ReLU(), nn.Dropout(0.25),
                        nn.Linear(6, 3))
    x = torch.randn(5, 4)
    weights = sd(seq)
    seq.train()
    seq[3].p = 0.0  # deterministic training-mode output
    y_train = seq(x)
    after_train = sd(seq)
    seq.eval()
    y_eval = seq(x)
    seq[3].p = 0.25
    fixtures['sequential_bn'] = {
        'repr': repr(seq), 'keys': list(seq.state_dict().keys()), 'state': weights,
        'input': enc(x), 'train_output': enc(y_train), 'state_after_train': after_train,
        'eval_output': enc(y_eval),
        'named_parameters': [n for n, _ in seq.named_parameters()],
        'named_buffers': [n for n, _ in seq.named_buffers()],
        'named_modules': [n for n, _ in seq.named_modules()],
    }

    # Cumulative-average batch norm (momentum None) over three batches.
    torch.manual_seed(11)
    bn = nn.BatchNorm2d(3, momentum=None)
    xs = [torch.randn(2, 3, 4, 4) for _ in range(3)]
    for xb in xs:
        bn(xb)
    fixtures['bn_cumulative'] = {'inputs': [enc(xb) for xb in xs], 'state': sd(bn), 'repr': repr(bn)}

    # A custom nested module.
    torch.manual_seed(12)
    net = Net()
    fixtures['nested'] = {
        'repr': repr(net), 'keys': list(net.state_dict().keys()),
        'shapes': {k: list(v.shape) for k, v in net.state_dict().items()},
        'named_parameters': [n for n, _ in net.named_parameters()],
        'named_buffers': [n for n, _ in net.named_buffers()],
        'named_modules': [n for n, _ in net.named_modules()],
        'named_children': [n for n, _ in net.named_children()],
    }

    # load_state_dict errors.
    m = nn.Sequential(nn.Linear(4, 3), nn.BatchNorm1d(3))
    bad = m.state_dict()
    del bad['0.bias']
    bad['2.weight'] = torch.zeros(1)
    bad['0.weight'] = torch.zeros(3, 5)
    fixtures['load_errors'] = {
        'strict': error_text(lambda: m.load_state_dict(bad)),
        'non_strict_shape': error_text(lambda: m.load_state_dict(bad, strict=False)),
    }
    ok = m.state_dict()
    del ok['0.bias']
    ok['extra.x'] = torch.zeros(1)
    res = m.load_state_dict(ok, strict=False)
    fixtures['load_errors']['non_strict_result'] = {
        'missing': res.missing_keys, 'unexpected': res.unexpected_keys}
    fixtures['load_errors']['missing_only'] = error_text(
        lambda: m.load_state_dict({k: v for k, v in m.state_dict().items() if k != '1.running_var'}))

    # Reprs of assorted layers.
    fixtures['reprs'] = {k: repr(v) for k, v in {
        'conv1d': nn.Conv1d(2, 4, 3, stride=2, padding=1, dilation=2, groups=2, bias=False),
        'conv2d': nn.Conv2d(3, 8, (3, 5), padding='same'),
        'conv_t': nn.ConvTranspose2d(4, 2, 3, stride=2, padding=1, output_padding=1),
        'maxpool': nn.MaxPool2d(2), 'maxpool2': nn.MaxPool2d(3, stride=2, padding=1, ceil_mode=True),
        'avgpool': nn.AvgPool2d(2), 'adaptive': nn.AdaptiveAvgPool2d((1, 1)),
        'bn_no_affine': nn.BatchNorm1d(4, affine=False, track_running_stats=False),
        'ln': nn.LayerNorm(8), 'ln2': nn.LayerNorm([4, 8], eps=1e-6, elementwise_affine=False),
        'gn': nn.GroupNorm(2, 4), 'dropout': nn.Dropout(), 'emb': nn.Embedding(10, 3, padding_idx=0),
        'flatten': nn.Flatten(), 'unflatten': nn.Unflatten(1, (2, 3)),
        'relu': nn.ReLU(), 'relu_inplace': nn.ReLU(inplace=True), 'gelu': nn.GELU(approximate='tanh'),
        'leaky': nn.LeakyReLU(0.2), 'elu': nn.ELU(), 'softplus': nn.Softplus(), 'hardtanh': nn.Hardtanh(),
        'softmax': nn.Softmax(dim=-1), 'logsoftmax': nn.LogSoftmax(1), 'ce': nn.CrossEntropyLoss(),
        'mha': nn.MultiheadAttention(8, 2), 'identity': nn.Identity(), 'silu': nn.SiLU(),
        'sigmoid': nn.Sigmoid(), 'tanh': nn.Tanh(),
    }.items()}

    # MultiheadAttention: keys and forward (self-attention, batch_first, key padding mask).
    torch.manual_seed(13)
    mha = nn.MultiheadAttention(8, 2, batch_first=True)
    q = torch.randn(2, 5, 8)
    kpm = torch.tensor([[False] * 5, [False, False, False, True, True]])
    out, attn = mha(q, q, q, key_padding_mask=kpm)
    out_nw, _ = mha(q, q, q, need_weights=False)
    mask = torch.triu(torch.full((5, 5), float('-inf')), diagonal=1)
    out_m, attn_m = mha(q, q, q, attn_mask=mask, average_attn_weights=False)
    kv = torch.randn(2, 3, 8)
    out_x, attn_x = mha(q, kv, kv)
    torch.manual_seed(14)
    mha_kv = nn.MultiheadAttention(6, 3, bias=False, add_bias_kv=True, kdim=4, vdim=5)
    fixtures['mha'] = {
        'keys': list(mha.state_dict().keys()), 'state': sd(mha), 'query': enc(q),
        'key_padding_mask': enc(kpm), 'output': enc(out), 'weights': enc(attn),
        'output_no_weights': enc(out_nw), 'causal_mask': enc(mask), 'output_causal': enc(out_m),
        'weights_causal': enc(attn_m), 'kv': enc(kv), 'output_cross': enc(out_x),
        'weights_cross': enc(attn_x),
        'kdim_keys': list(mha_kv.state_dict().keys()),
        'kdim_shapes': {k: list(v.shape) for k, v in mha_kv.state_dict().items()},
    }

    # TransformerEncoderLayer: keys, repr and eval-mode forward for both norm placements.
    tel = {}
    for name, kw in {'post_relu': {}, 'pre_gelu': {'norm_first': True, 'activation': 'gelu'}}.items():
        torch.manual_seed(15)
        layer = nn.TransformerEncoderLayer(8, 2, dim_feedforward=16, batch_first=True, **kw)
        layer.eval()
        src = torch.randn(2, 4, 8)
        kpm = torch.tensor([[False] * 4, [False, False, True, True]])
        with torch.no_grad():
            y = layer(src)
            y_masked = layer(src, src_key_padding_mask=kpm)
        tel[name] = {'keys': list(layer.state_dict().keys()), 'repr': repr(layer), 'state': sd(layer),
                     'input': enc(src), 'output': enc(y), 'key_padding_mask': enc(kpm),
                     'output_masked': enc(y_masked)}
    fixtures['transformer_encoder_layer'] = tel

    with open(os.path.join(OUT, 'modules.json'), 'w') as f:
        json.dump(fixtures, f)


if __name__ == '__main__':
    main()
