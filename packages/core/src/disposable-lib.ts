/**
 * Tensors are `Disposable` (`using t = ...`), so their declarations name `Symbol.dispose`, which
 * TypeScript declares only in its `esnext.disposable` lib. Declaring it here, as @types/node
 * does, lets the types compile under a project's usual lib (ES2022, say); the declaration merges
 * with the lib's where both are loaded.
 */
declare global {
  interface SymbolConstructor {
    readonly dispose: unique symbol;
  }
}

export {};
