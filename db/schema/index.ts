export * from './compliance';
export * from './interactions';
export * from './jobs';
export * from './organizations';
export * from './outreach';
export * from './prospects';
export * from './scoring';
