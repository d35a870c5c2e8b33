import { z } from 'zod'
import { annotationStatuses, motivations } from '#app/annotations/types.ts'

/**
 * The search pages' query strings, checked at the edge. An empty field is
 * "no filter"; anything else must be well formed, or the page says which
 * field is wrong and searches nothing.
 */

const blankToUndefined = (value: unknown) => (typeof value === 'string' && value.trim() === '' ? undefined : value)
const optional = <T extends z.ZodTypeAny>(schema: T) => z.preprocess(blankToUndefined, schema.optional())
const isoDate = z
	.string()
	.regex(/^\d{4}-\d{2}-\d{2}$/, 'Use a date like 2026-03-01.')
	.refine((value) => !Number.isNaN(Date.parse(`${value}T00:00:00Z`)), 'That is not a date.')
const page = z.preprocess(
	blankToUndefined,
	z.coerce.number({ invalid_type_error: 'Not a page number.' }).int('Not a page number.').min(1, 'Not a page number.').max(500, 'Too far: narrow the search.').default(1),
)
const words = z.string().trim().max(200, 'Search for at most 200 characters.').default('')

export const searchScopes = ['all', 'annotations', 'documents'] as const

export const workspaceQuery = z
	.object({
		q: words,
		group: optional(z.string().uuid('Choose a group from the list.')),
		document: optional(z.string().uuid('Choose a document from the list.')),
		author: optional(z.string().uuid('Choose an author from the list.')),
		tag: optional(z.string().trim().max(60, 'A tag has at most 60 characters.').transform((t) => t.toLowerCase())),
		motivation: optional(z.enum(motivations, { errorMap: () => ({ message: 'Choose a kind from the list.' }) })),
		status: optional(z.enum(annotationStatuses, { errorMap: () => ({ message: 'Choose a status from the list.' }) })),
		from: optional(isoDate),
		to: optional(isoDate),
		in: z.preprocess(blankToUndefined, z.enum(searchScopes, { errorMap: () => ({ message: 'Choose where to search.' }) }).default('all')),
		page,
	})
	.refine((q) => !q.from || !q.to || q.from <= q.to, { message: 'The end date is before the start date.', path: ['to'] })

export type WorkspaceQuery = z.infer<typeof workspaceQuery>

/** Whether the query asks for anything (words or a filter); an empty form shows no results yet. */
export function asksForSomething(query: WorkspaceQuery): boolean {
	return Boolean(query.q || query.group || query.document || query.author || query.tag || query.motivation || query.status || query.from || query.to)
}

export const publishedQuery = z.object({
	q: words,
	document: optional(z.string().uuid('Not a document of the published layer.')),
	retracted: z.preprocess(blankToUndefined, z.enum(['1']).optional()).transform((v) => v === '1'),
	page,
})

export type PublishedQuery = z.infer<typeof publishedQuery>

/** The query string's fields (the last value of a repeated one), for zod. */
export function queryFields(url: URL): Record<string, string> {
	return Object.fromEntries(url.searchParams)
}
