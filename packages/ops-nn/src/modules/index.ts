/**
 * Module classes (PyTorch's `torch.nn`): `Module`, containers and layers.
 */
export {};
