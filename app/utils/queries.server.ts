/**
 * The bridge from routes to db/: routes import queries from here, never from
 * #db directly, so Remix's `.server` rule stops them at the browser bundle's
 * edge (and server/build-guard.ts would stop anything that slipped through).
 */
export * from '#db/queries/accounts.ts'
export * from '#db/queries/groups.ts'
export * from '#db/queries/documents.ts'
