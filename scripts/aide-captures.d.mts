export function referencedCaptures(): string[];
export function publishCaptures(options?: { screensDir?: string; rendererDir?: string }): {
  target: string;
  copied: string[];
  missing: string[];
};
