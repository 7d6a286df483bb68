// Hands bytes to the browser as a file download.

export function saveBytes(bytes: ArrayBuffer, filename: string): void {
  const url = URL.createObjectURL(new Blob([bytes], { type: 'application/octet-stream' }));
  const a = document.createElement('a');
  a.href = url;
  a.download = filename;
  a.style.display = 'none';
  document.body.appendChild(a);
  a.click();
  a.remove();
  // Give the browser a moment to start the download before the URL is released.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Hands text (JSON, JSONL) to the browser as a file download. */
export function saveText(text: string, filename: string): void {
  saveBytes(new TextEncoder().encode(text).buffer as ArrayBuffer, filename);
}
