import * as torch from 'autodag';

const { nn } = torch;

/**
 * The CNN of the Fashion-MNIST benchmark table ("2 conv + pooling + batch norm"):
 * conv3x3(1→32)-BN-ReLU-maxpool, conv3x3(32→64)-BN-ReLU-maxpool, fc 3136→128-ReLU, fc 128→10.
 * The same network as scripts/pytorch_reference.py builds in PyTorch, with the same state-dict keys.
 * @example const model = fashionCnn(); model.forward(torch.zeros(1, 1, 28, 28)).shape // [1, 10]
 */
export function fashionCnn(): torch.nn.Sequential {
  return new nn.Sequential(
    new nn.Conv2d(1, 32, 3, { padding: 1 }),
    new nn.BatchNorm2d(32),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Conv2d(32, 64, 3, { padding: 1 }),
    new nn.BatchNorm2d(64),
    new nn.ReLU(),
    new nn.MaxPool2d(2),
    new nn.Flatten(),
    new nn.Linear(64 * 7 * 7, 128),
    new nn.ReLU(),
    new nn.Linear(128, 10),
  );
}
