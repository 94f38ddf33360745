/**
 * The DICOM transfer syntaxes the lab reads: how the data set is encoded (byte order, VR, deflate) and, for the
 * encapsulated ones, which codec holds the pixels. Anything else (JPIP, MPEG, video) is refused by name.
 */

/** How the pixel data of a transfer syntax is stored. */
export type PixelEncoding =
  'native' | 'rle' | 'jpeg-baseline' | 'jpeg-extended' | 'jpeg-lossless' | 'jpeg-ls' | 'jpeg-2000' | 'htj2k';

export interface TransferSyntax {
  readonly uid: string;
  /** As DICOM names it, shortened (`JPEG-LS Lossless`). */
  readonly name: string;
  readonly pixels: PixelEncoding;
  /** Native pixel data stored most significant byte first. */
  readonly bigEndian?: boolean;
}

const SYNTAXES: readonly TransferSyntax[] = [
  { uid: '1.2.840.10008.1.2', name: 'Implicit VR Little Endian', pixels: 'native' },
  { uid: '1.2.840.10008.1.2.1', name: 'Explicit VR Little Endian', pixels: 'native' },
  { uid: '1.2.840.10008.1.2.1.99', name: 'Deflated Explicit VR Little Endian', pixels: 'native' },
  { uid: '1.2.840.10008.1.2.2', name: 'Explicit VR Big Endian', pixels: 'native', bigEndian: true },
  { uid: '1.2.840.10008.1.2.5', name: 'RLE Lossless', pixels: 'rle' },
  { uid: '1.2.840.10008.1.2.4.50', name: 'JPEG Baseline (Process 1)', pixels: 'jpeg-baseline' },
  { uid: '1.2.840.10008.1.2.4.51', name: 'JPEG Extended (Process 2 & 4)', pixels: 'jpeg-extended' },
  { uid: '1.2.840.10008.1.2.4.57', name: 'JPEG Lossless (Process 14)', pixels: 'jpeg-lossless' },
  { uid: '1.2.840.10008.1.2.4.70', name: 'JPEG Lossless (Process 14, SV1)', pixels: 'jpeg-lossless' },
  { uid: '1.2.840.10008.1.2.4.80', name: 'JPEG-LS Lossless', pixels: 'jpeg-ls' },
  { uid: '1.2.840.10008.1.2.4.81', name: 'JPEG-LS Near-Lossless', pixels: 'jpeg-ls' },
  { uid: '1.2.840.10008.1.2.4.90', name: 'JPEG 2000 Lossless', pixels: 'jpeg-2000' },
  { uid: '1.2.840.10008.1.2.4.91', name: 'JPEG 2000', pixels: 'jpeg-2000' },
  { uid: '1.2.840.10008.1.2.4.201', name: 'HTJ2K Lossless', pixels: 'htj2k' },
  { uid: '1.2.840.10008.1.2.4.202', name: 'HTJ2K Lossless RPCL', pixels: 'htj2k' },
  { uid: '1.2.840.10008.1.2.4.203', name: 'HTJ2K', pixels: 'htj2k' },
];

const BY_UID = new Map(SYNTAXES.map((s) => [s.uid, s]));

/** Every syntax read, for help texts and tests. */
export const TRANSFER_SYNTAXES: readonly TransferSyntax[] = SYNTAXES;

/** The syntax of `uid` (trailing NUL or space padding ignored), or null when the lab does not read it. */
export function transferSyntaxOf(uid: string): TransferSyntax | null {
  return BY_UID.get(uid.replace(/[\0 ]+$/, '')) ?? null;
}
