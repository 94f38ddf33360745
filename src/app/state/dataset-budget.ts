/** The budget for keeping the decoded dataset in this browser, as the user set it (localStorage; default 500 MB). */
import { DEFAULT_DATASET_BUDGET } from '../../lab/persist/dataset-record';

const KEY = 'xray-lab-dataset-budget';

/** The budget in bytes; the default where none is set or storage is refused. */
export function readDatasetBudget(): number {
  try {
    const value = Number(localStorage.getItem(KEY));
    return localStorage.getItem(KEY) != null && Number.isFinite(value) && value >= 0 ? value : DEFAULT_DATASET_BUDGET;
  } catch {
    return DEFAULT_DATASET_BUDGET;
  }
}

export function writeDatasetBudget(bytes: number): void {
  try {
    localStorage.setItem(KEY, String(bytes));
  } catch {
    // private browsing: the budget holds for this visit only
  }
}
