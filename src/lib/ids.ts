import { v7 } from 'uuid';

/** Time-ordered ids (UUIDv7): b-tree friendly on insert, and ordering by id follows creation. */
export function newId(): string {
  return v7();
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export function isUuid(value: string): boolean {
  return UUID.test(value);
}
