import { Fingerprint } from '../../util/fingerprint';

/**
 * The patient key a split uses for a DICOM: the decoder's one-way key of Patient ID, hashed again with the dataset's
 * fingerprint, so the same patient in two datasets gets two unrelated keys and a stored key names no one. The same
 * data always gives the same keys, so a replayed experiment splits the same way.
 */
export function saltPatientKey(dicomKey: string, datasetFingerprint: string): string {
  return `patient:${new Fingerprint().update(`${datasetFingerprint}\n${dicomKey}`).digest()}`;
}
