/** The bridge from the search pages to server/search (see app/utils/queries.server.ts). */
export { asksForSomething, publishedQuery, queryFields, workspaceQuery, type PublishedQuery, type WorkspaceQuery } from '#server/search/query.ts'
