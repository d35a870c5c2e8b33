/**
 * The bridge from the public reader's pages (/read/…, /a/…) to the published
 * layer: builds what an edition page and a permalink show from
 * PublishedLayer's answers, with the citations computed here on the server
 * (the browser never loads Citation.js), and files readers' reports. Only
 * published versions exist in what it reads; whether this reader may see
 * them is the audience gate's answer (server/publication/audience.ts), asked
 * first on every page, so a members-only or unpublished document is the same
 * 404 as a missing one.
 */
import type { AppLoadContext } from '@remix-run/node'
import { createElement } from 'react'
import { renderToStaticMarkup } from 'react-dom/server'
import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { z } from 'zod'
import { documentPublicationFingerprint, listVersions } from '#db/queries/publication.ts'
import { isUuid } from '#db/ids.ts'
import { documentFromJSON, type DocumentJSON } from '#app/editor/schema.ts'
import { PlainTextIndex } from '#app/editor/plain-text.ts'
import { motivationLabels } from '#app/annotations/types.ts'
import { editionCitation, versionCitation, type Citations } from '#app/publication/citations.server.ts'
import type { PublishedVersionView } from '#app/publication/types.ts'
import type { EditionNote, EditionPageData, EditionSummary, PermalinkPageData } from '#app/components/reader/types.ts'
import { EditionReader } from '#app/components/reader/EditionReader.tsx'
import { editionPath, highlightElementId, noteElementId, versionPath } from '#app/components/reader/format.ts'
import { notFound } from '#app/utils/responses.ts'
import { isAnnotationError } from '#server/annotations/service.ts'
import { publicationUrls } from '#server/publication/urls.ts'
import { audienceCacheControl, publishedGrant, type PublishedGrant, type PublishedTarget } from '#server/publication/audience.ts'
import { getUser } from './session.server.ts'
import { withHighlights, type HighlightRange } from './documents.server.ts'

/** An edition or version number from the URL: a positive integer written plainly ("01" and "1e0" are not). */
const numberParam = z
	.string()
	.regex(/^[1-9][0-9]{0,8}$/)
	.transform(Number)

/** The number in a route's `:n`, or a 404 for anything that cannot be one. */
export function requireNumberParam(value: string | undefined): number {
	const parsed = numberParam.safeParse(value)
	if (!parsed.success) throw notFound()
	return parsed.data
}

/** A document or annotation id from the URL, or a 404 (a forged id is a missing page, never a 400 that confirms anything). */
export function requireIdParam(value: string | undefined): string {
	if (!value || !isUuid(value)) throw notFound()
	return value
}

/**
 * The viewer's grant to read what was published on a document, or `message`
 * as the page's usual 404: a hidden document and a missing one are answered
 * alike, by the same queries.
 */
export async function requirePublishedGrant(
	request: Request,
	context: AppLoadContext,
	target: PublishedTarget,
	message: string,
): Promise<PublishedGrant> {
	const user = await getUser(request, context)
	const grant = await publishedGrant(context.db, user?.id ?? null, target)
	if (!grant) throw notFound(message)
	return grant
}

/** What a page built under a grant says of its audience (the members-only line), and how it may be cached. */
export function grantShown(grant: PublishedGrant): { audience: PublishedGrant['audience']; groupName: string } {
	return { audience: grant.audience, groupName: grant.groupName }
}

/** Headers for a page built under a grant: a members-only page is never kept by a shared cache. */
export function grantHeaders(grant: PublishedGrant, headers: HeadersInit = {}): Headers {
	const all = new Headers(headers)
	const cacheControl = audienceCacheControl(grant.audience)
	if (cacheControl) all.set('Cache-Control', cacheControl)
	return all
}

export const noEditionHere = 'There is no published edition here.'
export const noAnnotationHere = 'There is no published annotation here.'

/**
 * An edition's page (the latest when `number` is omitted): its text with
 * the published annotations marked, their notes grouped after the block
 * where each highlight starts, and the edition's citation. A document with
 * no edition is a 404 exactly like a missing or private one.
 */
export async function loadEditionPage(context: AppLoadContext, documentId: string, number?: number): Promise<EditionPageData> {
	const published = await context.publication.published.edition(documentId, number)
	if (!published) throw notFound(noEditionHere)
	const urls = publicationUrls(context.appOrigin)
	const { edition } = published
	const doc = documentFromJSON(published.content)
	const index = new PlainTextIndex(doc)

	// Wider highlights first, so that where two overlap the narrower one is the inner
	// mark, and its note is where a click on the overlap leads.
	// A retraction's notice takes the place of its body on this page: the words are not sent at all.
	const roots = published.annotations.map(withoutRetractedBody).sort(
		(a, b) => (a.selector?.start ?? 0) - (b.selector?.start ?? 0) || (b.selector?.end ?? 0) - (a.selector?.end ?? 0),
	)
	const ranges: HighlightRange[] = []
	const notes: EditionNote[] = []
	for (const [i, version] of roots.entries()) {
		const placed = placeSelector(index, doc, version)
		if (placed) {
			ranges.push({
				from: placed.from,
				to: placed.to,
				id: version.annotationId,
				motivation: version.motivation,
				label: `${motivationLabels[version.motivation]} by ${version.author.name}`,
			})
		}
		notes.push({
			number: i + 1,
			version,
			block: placed ? doc.resolve(placed.from).index(0) : null,
			placed: placed !== null,
			replies: published.replies.filter((reply) => reply.parentId === version.annotationId).map(withoutRetractedBody),
			newerEdition: version.supersededBy === null ? null : await newerEditionOf(context, version),
		})
	}
	const standings = new Map(roots.map((v) => [v.annotationId, v.standing]))
	const highlighted = linkHighlights(withHighlights(doc, ranges), standings)
	return {
		edition,
		editions: published.editions,
		blocks: highlighted.content ?? [],
		notes,
		citation: remembered(`edition ${context.appOrigin} ${edition.id} ${edition.groupName}`, () => editionCitation(edition, urls)),
		links: {
			edition: urls.edition(edition.documentId, edition.number),
			container: urls.container(edition.documentId, edition.number),
			feed: `/feeds/documents/${edition.documentId}.atom`,
		},
	}
}

/**
 * An edition page rendered to HTML once and reused while nothing it shows
 * has changed. A long edition with thousands of notes is large; building it
 * on every request, and sending its data a second time for hydration, made
 * it slow. The page needs no JavaScript (its routes turn hydration off), so
 * the loader hands over finished markup and a small summary for the <head>.
 * The fingerprint (one query) covers everything the page shows.
 */
export async function renderEditionPage(
	request: Request,
	context: AppLoadContext,
	documentId: string,
	number?: number,
): Promise<{ summary: EditionSummary; html: string; grant: PublishedGrant }> {
	const grant = await requirePublishedGrant(request, context, { documentId }, noEditionHere)
	return { ...(await renderedEditionPage(context, documentId, number)), grant }
}

async function renderedEditionPage(context: AppLoadContext, documentId: string, number?: number): Promise<{ summary: EditionSummary; html: string }> {
	const key = `${context.appOrigin} ${documentId} ${number ?? 'latest'}`
	const fingerprint = await documentPublicationFingerprint(context.db, documentId)
	const known = renderedEditions.get(key)
	if (known && known.fingerprint === fingerprint) {
		renderedEditions.delete(key)
		renderedEditions.set(key, known)
		return known.page
	}
	const data = await loadEditionPage(context, documentId, number)
	const page = {
		summary: { edition: data.edition, noteCount: data.notes.length, links: data.links },
		html: renderToStaticMarkup(createElement(EditionReader, data)),
	}
	renderedEditions.set(key, { fingerprint, page })
	if (renderedEditions.size > renderedEditionsKept) {
		const [oldest] = renderedEditions.keys()
		if (oldest) renderedEditions.delete(oldest)
	}
	return page
}

const renderedEditions = new Map<string, { fingerprint: string; page: { summary: EditionSummary; html: string } }>()
/** Rendered pages kept (most recently used); a 30,000-word edition with 2,000 notes is about 2 MB. */
const renderedEditionsKept = 20

function withoutRetractedBody(version: PublishedVersionView): PublishedVersionView {
	return version.retraction ? { ...version, body: '', bodyHtml: '' } : version
}

/**
 * Citations cost a citeproc run per style (a good part of a page's time).
 * What they cite never changes except a version's standing and the group's
 * name, which are in the key; so they are kept, the most recently used few hundred.
 */
const citationCache = new Map<string, Citations>()
const citationCacheSize = 500

function remembered(key: string, compute: () => Citations): Citations {
	const known = citationCache.get(key)
	if (known) {
		citationCache.delete(key)
		citationCache.set(key, known)
		return known
	}
	const fresh = compute()
	citationCache.set(key, fresh)
	if (citationCache.size > citationCacheSize) citationCache.delete(citationCache.keys().next().value!)
	return fresh
}

/** Where a version's TextPositionSelector (code points over the edition's text) falls in the document, if its words are there. */
function placeSelector(index: PlainTextIndex, doc: ProseMirrorNode, version: PublishedVersionView) {
	const selector = version.selector
	if (!selector || selector.end <= selector.start) return null
	const start = index.utf16Offset(selector.start)
	const end = index.utf16Offset(selector.end)
	// The selectors were computed over this very text; a mismatch would mean a bug upstream,
	// and a highlight on the wrong words is worse than a note without one.
	if (index.text.slice(start, end) !== selector.exact) return null
	const from = index.positionOfOffset(start)
	const to = index.positionOfOffset(end)
	return to > from && to <= doc.content.size ? { from, to } : null
}

/** The edition a superseded version's successor is on, for "A newer version is on edition N". */
async function newerEditionOf(context: AppLoadContext, version: PublishedVersionView): Promise<number | null> {
	const newer = await context.publication.published.annotation(version.annotationId, version.supersededBy ?? undefined)
	return newer?.version.edition.number ?? null
}

/**
 * Gives the highlight marks what the reader needs without JavaScript: the
 * first piece of each highlight an id its note links back to, and every
 * piece a link to the note of its innermost annotation (one link per piece:
 * links cannot nest, so none inside the text's own links either).
 */
function linkHighlights(doc: DocumentJSON, standings: Map<string, string>): DocumentJSON {
	const seen = new Set<string>()
	const visit = (node: DocumentJSON) => {
		if (node.type === 'text' && node.marks) {
			const highlights = node.marks.filter((mark) => mark.type === 'annotation')
			for (const mark of highlights) {
				const id = String(mark.attrs?.id)
				const attrs: Record<string, unknown> = { ...mark.attrs }
				if (!seen.has(id)) {
					seen.add(id)
					attrs.elementId = highlightElementId(id)
				}
				const standing = standings.get(id)
				if (standing && standing !== 'published') attrs.standing = standing
				mark.attrs = attrs
			}
			const inner = highlights.at(-1)
			if (inner && !node.marks.some((mark) => mark.type === 'link')) inner.attrs = { ...inner.attrs, href: `#${noteElementId(String(inner.attrs?.id))}` }
		}
		node.content?.forEach(visit)
	}
	visit(doc)
	return doc
}

/** A permalink's page: one version (the current one when `number` is omitted) with every version, replies and citations. */
export async function loadPermalinkPage(
	request: Request,
	context: AppLoadContext,
	annotationId: string,
	number?: number,
): Promise<{ page: PermalinkPageData; grant: PublishedGrant }> {
	const grant = await requirePublishedGrant(request, context, { annotationId }, noAnnotationHere)
	const published = await context.publication.published.annotation(annotationId, number)
	if (!published) throw notFound(noAnnotationHere)
	const urls = publicationUrls(context.appOrigin)
	const { version } = published
	const current = [...published.versions].reverse().find((v) => v.standing === 'published') ?? null
	const page: PermalinkPageData = {
		version,
		versions: published.versions,
		replies: published.replies,
		context: published.context,
		current: current ? current.number : null,
		citation: remembered(`version ${context.appOrigin} ${version.annotationId} ${version.number} ${version.standing} ${version.edition.groupName}`, () =>
			versionCitation(version, urls),
		),
		links: {
			version: urls.version(version.annotationId, version.number),
			edition: editionPath(version.edition.documentId, version.edition.number, version.annotationId),
			jsonLd: `${versionPath(version.annotationId, version.number)}?format=jsonld`,
		},
	}
	return { page, grant }
}

const reportSchema = z.object({
	reason: z
		.string({ required_error: 'Say what is wrong with this annotation.' })
		.trim()
		.min(1, 'Say what is wrong with this annotation.')
		.max(2000, 'Keep a report under 2,000 characters.'),
})

export type ReportOutcome = { status: 'sent' } | { status: 'refused'; error: string; code: number }

/**
 * A reader's report about the version a permalink shows. Invalid input is
 * refused before anything is stored; the service applies the rate limit.
 */
export async function reportPublishedVersion(
	request: Request,
	context: AppLoadContext,
	annotationId: string,
	number?: number,
): Promise<ReportOutcome> {
	// Asked before the form is read: what the reader may not see cannot be reported, nor found out by reporting it.
	await requirePublishedGrant(request, context, { annotationId }, noAnnotationHere)
	const form = await request.formData()
	const published = await context.publication.published.annotation(annotationId, number)
	if (!published) throw notFound(noAnnotationHere)
	const parsed = reportSchema.safeParse({ reason: form.get('reason') ?? undefined })
	if (!parsed.success) return { status: 'refused', error: parsed.error.issues[0]!.message, code: 400 }
	// PublishedVersionView carries no row id (nothing public needs it); a report refers to the row.
	const row = (await listVersions(context.db, annotationId)).find((v) => v.number === published.version.number)
	if (!row) throw notFound(noAnnotationHere)
	try {
		await context.publication.report(row.id, parsed.data.reason, context.clientAddress)
		return { status: 'sent' }
	} catch (error) {
		if (!isAnnotationError(error)) throw error
		// report() answers 409 only for its rate limit (ReportLimitError; instanceof does not hold across the
		// server's and the Remix build's copies of the module). Over HTTP a rate limit is 429: retry later.
		return { status: 'refused', error: error.message, code: error.status === 409 ? 429 : error.status }
	}
}
