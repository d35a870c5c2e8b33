export * from './accounts.ts'
export * from './groups.ts'
export * from './documents.ts'
export * from './annotations.ts'
