/** Which kernels train: the lab's fast path, or tfjs's own. Kept free of imports: the settings schema reads it. */
export type KernelChoice = 'lab' | 'stock';
export const KERNEL_CHOICES: readonly KernelChoice[] = ['lab', 'stock'];
