"""Reference values for @autodag/optim from PyTorch 1.13.

Run with /usr/bin/python3 (the interpreter that has torch 1.13):
    /usr/bin/python3 packages/optim/scripts/gen_optim.py
Writes packages/optim/test/fixtures/{optimizers,rosenbrock,schedulers,clip_grad}.json.
Option names are written camelCased, as the TypeScript API spells them.
"""
import json
import math
import os
import re

import torch

OUT = os.path.join(os.path.dirname(__file__), '..', 'test', 'fixtures')
STEPS = 10


def camel(name):
    return re.sub(r'_([a-z])', lambda m: m.group(1).upper(), name)


def camel_opts(opts):
    return {camel(k): (list(v) if isinstance(v, tuple) else v) for k, v in opts.items()}


def values(t):
    return t.detach().double().flatten().tolist()


OPTIMIZERS = {
    'SGD': torch.optim.SGD,
    'Adam': torch.optim.Adam,
    'AdamW': torch.optim.AdamW,
    'RMSprop': torch.optim.RMSprop,
    'Adagrad': torch.optim.Adagrad,
}

# (name, optimizer, options, second group's options or None, dtype)
CASES = [
    ('sgd plain', 'SGD', dict(lr=0.1), None, torch.float32),
    ('sgd momentum', 'SGD', dict(lr=0.05, momentum=0.9), None, torch.float32),
    ('sgd momentum dampening weight decay', 'SGD',
     dict(lr=0.05, momentum=0.8, dampening=0.3, weight_decay=0.01), None, torch.float32),
    ('sgd nesterov', 'SGD', dict(lr=0.05, momentum=0.9, nesterov=True, weight_decay=1e-3), None,
     torch.float32),
    ('sgd maximize', 'SGD', dict(lr=0.05, momentum=0.5, maximize=True), None, torch.float32),
    ('sgd two groups', 'SGD', dict(lr=0.1, momentum=0.9), dict(lr=0.01, momentum=0.5),
     torch.float32),
    ('sgd float64', 'SGD', dict(lr=0.05, momentum=0.9, nesterov=True), None, torch.float64),
    ('adam default', 'Adam', dict(), None, torch.float32),
    ('adam lr betas eps', 'Adam', dict(lr=0.01, betas=(0.8, 0.99), eps=1e-6), None,
     torch.float32),
    ('adam weight decay', 'Adam', dict(lr=0.01, weight_decay=0.1), None, torch.float32),
    ('adam amsgrad', 'Adam', dict(lr=0.01, amsgrad=True), None, torch.float32),
    ('adam maximize amsgrad weight decay', 'Adam',
     dict(lr=0.01, amsgrad=True, maximize=True, weight_decay=0.05), None, torch.float32),
    ('adam two groups', 'Adam', dict(lr=0.01), dict(lr=0.001, betas=(0.5, 0.9)), torch.float32),
    ('adam float64', 'Adam', dict(lr=0.01, amsgrad=True, weight_decay=0.01), None,
     torch.float64),
    ('adamw default', 'AdamW', dict(), None, torch.float32),
    ('adamw weight decay', 'AdamW', dict(lr=0.01, weight_decay=0.1), None, torch.float32),
    ('adamw amsgrad maximize', 'AdamW', dict(lr=0.01, amsgrad=True, maximize=True), None,
     torch.float32),
    ('adamw two groups', 'AdamW', dict(lr=0.01), dict(lr=0.05, weight_decay=0.5), torch.float32),
    ('adamw float64', 'AdamW', dict(lr=0.02, weight_decay=0.2, amsgrad=True), None,
     torch.float64),
    ('rmsprop default', 'RMSprop', dict(), None, torch.float32),
    ('rmsprop alpha eps weight decay', 'RMSprop', dict(lr=0.01, alpha=0.9, eps=1e-6,
     weight_decay=0.1), None, torch.float32),
    ('rmsprop momentum', 'RMSprop', dict(lr=0.01, momentum=0.9), None, torch.float32),
    ('rmsprop centered', 'RMSprop', dict(lr=0.01, centered=True), None, torch.float32),
    ('rmsprop centered momentum maximize', 'RMSprop',
     dict(lr=0.005, centered=True, momentum=0.5, maximize=True), None, torch.float32),
    ('rmsprop two groups', 'RMSprop', dict(lr=0.01), dict(lr=0.001, centered=True),
     torch.float32),
    ('rmsprop float64', 'RMSprop', dict(lr=0.01, centered=True, momentum=0.9, weight_decay=0.01),
     None, torch.float64),
    ('adagrad default', 'Adagrad', dict(), None, torch.float32),
    ('adagrad lr decay weight decay', 'Adagrad',
     dict(lr=0.1, lr_decay=0.05, weight_decay=0.1), None, torch.float32),
    ('adagrad initial accumulator eps maximize', 'Adagrad',
     dict(lr=0.1, initial_accumulator_value=0.5, eps=1e-6, maximize=True), None, torch.float32),
    ('adagrad two groups', 'Adagrad', dict(lr=0.1), dict(lr=0.01, lr_decay=0.1), torch.float32),
    ('adagrad float64', 'Adagrad', dict(lr=0.1, lr_decay=0.01, weight_decay=0.01), None,
     torch.float64),
]

SHAPES = [[2, 3], [4], [3]]


def state_values(state):
    out = {}
    for k, v in state.items():
        out[camel(k)] = values(v) if isinstance(v, torch.Tensor) and k != 'step' else (
            float(v.item()) if isinstance(v, torch.Tensor) else v)
    return out


def optimizer_cases():
    cases = []
    for i, (name, kind, opts, group2, dtype) in enumerate(CASES):
        g = torch.Generator().manual_seed(1000 + i)
        params = [torch.randn(s, generator=g, dtype=dtype).requires_grad_() for s in SHAPES]
        init = [values(p) for p in params]
        if group2 is None:
            opt = OPTIMIZERS[kind](params, **opts)
            groups = None
        else:
            opt = OPTIMIZERS[kind]([{'params': params[:2]}, dict(params=params[2:], **group2)],
                                   **opts)
            groups = [{'params': [0, 1], 'options': {}},
                      {'params': [2], 'options': camel_opts(group2)}]
        grads, after = [], []
        for step in range(STEPS):
            step_grads = []
            for j, p in enumerate(params):
                # The last parameter has no gradient at step 3: it must be skipped.
                if j == 2 and step == 3:
                    p.grad = None
                    step_grads.append(None)
                    continue
                gr = torch.randn(p.shape, generator=g, dtype=dtype)
                if step == 5:
                    gr[0] = 0.0  # exact zeros (eps-dominated denominators)
                p.grad = gr
                step_grads.append(values(gr))
            opt.step()
            grads.append(step_grads)
            after.append([values(p) for p in params])
        cases.append({
            'name': name,
            'optimizer': kind,
            'dtype': 'float64' if dtype == torch.float64 else 'float32',
            'options': camel_opts(opts),
            'groups': groups,
            'shapes': SHAPES,
            'init': init,
            'grads': grads,
            'after': after,
            'finalState': [state_values(opt.state[p]) for p in params],
        })
    return cases


def rosenbrock(xy):
    return (1 - xy[0]) ** 2 + 100 * (xy[1] - xy[0] ** 2) ** 2


ROSENBROCK = [
    ('SGD', dict(lr=1e-4, momentum=0.9)),
    ('Adam', dict(lr=0.05)),
    ('AdamW', dict(lr=0.05, weight_decay=0.1, amsgrad=True)),
    ('RMSprop', dict(lr=0.01, centered=True, momentum=0.5)),
    ('Adagrad', dict(lr=0.5, lr_decay=0.01)),
]


def rosenbrock_cases():
    cases = []
    for kind, opts in ROSENBROCK:
        xy = torch.tensor([-1.5, 2.0], dtype=torch.float64, requires_grad=True)
        opt = OPTIMIZERS[kind]([xy], **opts)
        losses, path = [], []

        def closure():
            opt.zero_grad()
            loss = rosenbrock(xy)
            loss.backward()
            return loss

        for _ in range(20):
            losses.append(opt.step(closure).item())
            path.append(values(xy))
        cases.append({'optimizer': kind, 'options': camel_opts(opts), 'init': [-1.5, 2.0],
                      'losses': losses, 'path': path})
    return cases


def sched_optimizer(kind):
    params = [torch.zeros(2, requires_grad=True), torch.zeros(3, requires_grad=True)]
    groups = [{'params': params[:1]}, {'params': params[1:], 'lr': 0.05}]
    if kind == 'SGD':
        return torch.optim.SGD(groups, lr=0.1, momentum=0.9), params
    return torch.optim.Adam(groups, lr=0.1), params


S = torch.optim.lr_scheduler
# (name, optimizer kind, constructor, options as the TS API spells them, steps)
SCHEDULERS = [
    ('StepLR', 'SGD', lambda o: S.StepLR(o, step_size=7, gamma=0.5), {'stepSize': 7, 'gamma': 0.5}),
    ('MultiStepLR', 'SGD', lambda o: S.MultiStepLR(o, milestones=[3, 10, 10, 21], gamma=0.3),
     {'milestones': [3, 10, 10, 21], 'gamma': 0.3}),
    ('ExponentialLR', 'SGD', lambda o: S.ExponentialLR(o, gamma=0.9), {'gamma': 0.9}),
    ('CosineAnnealingLR', 'SGD', lambda o: S.CosineAnnealingLR(o, T_max=10, eta_min=0.001),
     {'tMax': 10, 'etaMin': 0.001}),
    ('CosineAnnealingLR', 'Adam', lambda o: S.CosineAnnealingLR(o, T_max=7),
     {'tMax': 7}),
    ('LambdaLR', 'SGD', lambda o: S.LambdaLR(o, lambda e: 1 / (1 + e)), {'lambda': 'inverse'}),
    ('OneCycleLR', 'SGD', lambda o: S.OneCycleLR(o, max_lr=[1.0, 0.5], total_steps=30),
     {'maxLr': [1.0, 0.5], 'totalSteps': 30}),
    ('OneCycleLR', 'Adam',
     lambda o: S.OneCycleLR(o, max_lr=0.3, epochs=6, steps_per_epoch=5, pct_start=0.25,
                            anneal_strategy='linear', div_factor=10.0, final_div_factor=100.0,
                            base_momentum=0.8, max_momentum=0.9),
     {'maxLr': 0.3, 'epochs': 6, 'stepsPerEpoch': 5, 'pctStart': 0.25, 'annealStrategy': 'linear',
      'divFactor': 10, 'finalDivFactor': 100, 'baseMomentum': 0.8, 'maxMomentum': 0.9}),
    ('OneCycleLR', 'SGD',
     lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=30, three_phase=True),
     {'maxLr': 0.2, 'totalSteps': 30, 'threePhase': True}),
    ('OneCycleLR', 'SGD',
     lambda o: S.OneCycleLR(o, max_lr=0.2, total_steps=30, cycle_momentum=False),
     {'maxLr': 0.2, 'totalSteps': 30, 'cycleMomentum': False}),
]

PLATEAU_METRICS = [1.0, 0.9, 0.95, 0.91, 0.9, 0.92, 0.93, 0.7, 0.71, 0.72, 0.73, 0.74, 0.69999,
                   0.75, 0.76, 0.77, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6, 0.6,
                   0.6, 0.6]
PLATEAUS = [
    ({}, {}),
    (dict(mode='min', factor=0.5, patience=2, threshold=0.01, threshold_mode='rel', cooldown=1,
          min_lr=[0.02, 0.001]), None),
    (dict(mode='max', factor=0.5, patience=1, threshold=0.05, threshold_mode='abs', min_lr=0.01,
          eps=1e-3), None),
    (dict(mode='min', patience=0, threshold_mode='abs', threshold=0.0), None),
]


def momentum_of(group):
    return group['betas'][0] if 'betas' in group else group['momentum']


def scheduler_cases():
    cases = []
    for name, kind, make, opts in SCHEDULERS:
        opt, params = sched_optimizer(kind)
        sched = make(opt)
        lrs = [sched.get_last_lr()]
        momenta = [[momentum_of(g) for g in opt.param_groups]]
        for _ in range(29):
            for p in params:
                p.grad = torch.ones_like(p)
            opt.step()
            sched.step()
            lrs.append(sched.get_last_lr())
            momenta.append([momentum_of(g) for g in opt.param_groups])
        cases.append({'scheduler': name, 'optimizer': kind, 'options': opts, 'lrs': lrs,
                      'momenta': momenta})
    for opts, _ in PLATEAUS:
        opt, params = sched_optimizer('SGD')
        sched = S.ReduceLROnPlateau(opt, **opts)
        metrics = PLATEAU_METRICS if opts.get('mode') != 'max' else [-m for m in PLATEAU_METRICS]
        lrs = []
        for m in metrics:
            sched.step(m)
            lrs.append([g['lr'] for g in opt.param_groups])
        cases.append({'scheduler': 'ReduceLROnPlateau', 'optimizer': 'SGD',
                      'options': camel_opts(opts), 'metrics': metrics, 'lrs': lrs})
    return cases


CLIPS = [
    (1.0, 2.0, torch.float32),
    (100.0, 2.0, torch.float32),
    (0.5, 1.0, torch.float32),
    (0.5, 3.0, torch.float32),
    (0.5, math.inf, torch.float32),
    (0.7, 2.0, torch.float64),
    (0.2, math.inf, torch.float64),
]


def clip_cases():
    cases = []
    for k, (max_norm, norm_type, dtype) in enumerate(CLIPS):
        g = torch.Generator().manual_seed(50 + k)
        params = [torch.zeros(s, dtype=dtype, requires_grad=True) for s in SHAPES]
        for p in params[:2]:
            p.grad = torch.randn(p.shape, generator=g, dtype=dtype)
        params[2].grad = None
        grads = [values(p.grad) if p.grad is not None else None for p in params]
        total = torch.nn.utils.clip_grad_norm_(params, max_norm, norm_type)
        cases.append({
            'maxNorm': max_norm, 'normType': 'inf' if norm_type == math.inf else norm_type,
            'dtype': 'float64' if dtype == torch.float64 else 'float32', 'shapes': SHAPES,
            'grads': grads, 'totalNorm': total.item(),
            'clipped': [values(p.grad) if p.grad is not None else None for p in params]})
    g = torch.Generator().manual_seed(99)
    p = torch.zeros(5, requires_grad=True)
    p.grad = torch.randn(5, generator=g) * 2
    before = values(p.grad)
    torch.nn.utils.clip_grad_value_([p], 0.75)
    return {'norm': cases, 'value': {'clipValue': 0.75, 'grad': before, 'clipped': values(p.grad)}}


def write(name, data):
    with open(os.path.join(OUT, name), 'w') as f:
        json.dump(data, f, separators=(',', ':'))
        f.write('\n')


if __name__ == '__main__':
    os.makedirs(OUT, exist_ok=True)
    write('optimizers.json', optimizer_cases())
    write('rosenbrock.json', rosenbrock_cases())
    write('schedulers.json', scheduler_cases())
    write('clip_grad.json', clip_cases())
    print('wrote fixtures to', os.path.normpath(OUT))
