/**
 * A DICOM file to the 8-bit grey raster the lab resizes and stores, with what `preview --json` reports of it.
 */
import { DataError, isDataError } from '../errors';
import type { Raster } from '../resize';
import { toDisplay, type VoiUsed } from './display';
import { parseDicom } from './read-dicom';
import { readStoredValues } from './stored-values';

/** What the lab may say about a decoded DICOM (technical facts only, no header text). */
export interface DicomFacts {
  readonly transferSyntax: string;
  readonly transferSyntaxUid: string;
  readonly photometric: 'MONOCHROME1' | 'MONOCHROME2';
  readonly bitsAllocated: number;
  readonly bitsStored: number;
  readonly signed: boolean;
  readonly modality: 'lut' | 'rescale';
  readonly voi: VoiUsed;
}

export interface DecodedDicom {
  readonly raster: Raster;
  readonly facts: DicomFacts;
  /** One-way key of the patient id, or null. */
  readonly patientKey: string | null;
}

/**
 * Decodes a Part 10 file. Rejects with a DataError naming `path` for anything it cannot show (see parseDicom) and
 * for damaged pixel data.
 */
export async function decodeDicom(bytes: Uint8Array, path: string): Promise<DecodedDicom> {
  const parsed = parseDicom(bytes, path);
  const { header } = parsed;
  let stored: Float64Array;
  try {
    stored = await readStoredValues(parsed);
  } catch (err) {
    if (isDataError(err)) throw err;
    const why = err instanceof Error ? err.message : typeof err === 'number' ? `codec error ${err}` : String(err);
    throw new DataError(path, `corrupt or truncated ${header.transferSyntax.name} pixel data (${why.split('\n')[0]})`);
  }
  const { grey, voi } = toDisplay(stored, header);
  return {
    raster: { width: header.columns, height: header.rows, channels: 1, data: grey },
    facts: {
      transferSyntax: header.transferSyntax.name,
      transferSyntaxUid: header.transferSyntax.uid,
      photometric: header.photometric,
      bitsAllocated: header.bitsAllocated,
      bitsStored: header.bitsStored,
      signed: header.signed,
      modality: header.modalityLut ? 'lut' : 'rescale',
      voi,
    },
    patientKey: header.patientKey,
  };
}
