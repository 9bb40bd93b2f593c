/** Lengths of time in milliseconds, as Date arithmetic counts them. */
export const MINUTE = 60_000;
export const DAY = 86_400_000;
