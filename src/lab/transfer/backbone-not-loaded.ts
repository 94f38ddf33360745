/** Thrown for a transfer model whose pretrained backbone has not been loaded; the message says how to load it. */
export class BackboneNotLoadedError extends Error {
  constructor(
    readonly modelId: string,
    detail: string,
  ) {
    super(`${modelId}: backbone not loaded — ${detail}`);
    this.name = 'BackboneNotLoadedError';
  }
}
