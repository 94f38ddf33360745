/** Saves a Blob as a file through a temporary link (works in every browser, no permission needed). */
export function saveBlob(blob: Blob, fileName: string): void {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.append(link);
  link.click();
  link.remove();
  // The download has started by the next tick; revoke later so slow browsers still read the URL.
  setTimeout(() => URL.revokeObjectURL(url), 60_000);
}
