/** A file picked in the page, sent to the core in base64 parts (Fichiers' « Ajouter des fichiers », a Discussion's file). */

/** Data a request carries at most (the local API takes a few megabytes a message): larger files go in parts. */
export const PART_BYTES = 4 * 1024 * 1024;

/** The bytes of `file` (or of a slice of it) in base64. */
export function readAsBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error ?? new Error('read failed'));
    reader.readAsDataURL(file);
  });
}
