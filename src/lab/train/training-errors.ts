/** Training stopped because the loss stopped being a number: every weight after it is garbage. */
export class NonFiniteLossError extends Error {
  constructor(
    readonly epoch: number,
    readonly batch: number,
    readonly value: number,
    readonly backend: string,
  ) {
    super(
      `training stopped: the loss became ${value} at epoch ${epoch}, batch ${batch + 1} (backend ${backend}); ` +
        'the weights are no longer usable. Try a lower learning rate, or another backend',
    );
    this.name = 'NonFiniteLossError';
  }
}

/** The backend cannot hold one batch of this model (WebGPU's buffer limit); refused before the first step. */
export class BackendLimitError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'BackendLimitError';
  }
}
