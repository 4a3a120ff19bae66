// STUB: to be written.
export interface SecretStore {
  get(key: string): Promise<string | null>;
  set(key: string, value: string): Promise<void>;
  delete(key: string): Promise<void>;
}
export class FileSecretStore implements SecretStore {
  constructor(readonly file: string) {}
  async get(_key: string): Promise<string | null> {
    return null;
  }
  async set(_key: string, _value: string): Promise<void> {}
  async delete(_key: string): Promise<void> {}
}
