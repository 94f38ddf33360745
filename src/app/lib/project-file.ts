/**
 * The page's side of the project file (src/lab/persist/project-zip.ts): the results on the page and their model
 * files as one zip, and a zip read back into what the page shows. Reading checks the whole file before anything
 * is used, so a bad file changes nothing.
 */
import { readProjectZip, writeProjectZip, type ProjectContents } from '../../lab/persist/project-zip';
import { runKeyId } from '../../lab/experiment/run-control';
import type { ModelResult } from '../../worker/protocol';
import { cardOf } from '../components/ExportSection';
import { modelFiles } from '../state/artefacts';
import type { ResultsContext } from '../state/lab-state';

export function projectZipOf(context: ResultsContext, results: readonly ModelResult[]): Blob {
  const card = cardOf(context, results);
  const models = new Map(results.flatMap((r) => {
    const files = modelFiles(runKeyId(r));
    return files ? [[runKeyId(r), files] as const] : [];
  }));
  return new Blob([writeProjectZip({ card, models, checkpoints: [] }) as BlobPart], { type: 'application/zip' });
}

export async function readProjectFile(file: File): Promise<ProjectContents> {
  return readProjectZip(new Uint8Array(await file.arrayBuffer()), file.name);
}
