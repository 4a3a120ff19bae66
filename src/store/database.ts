// STUB: to be written (WAL, foreign_keys, numbered migrations in src/store/migrations).
import Database from 'better-sqlite3';
export function openDatabase(file: string): Database.Database {
  return new Database(file);
}
