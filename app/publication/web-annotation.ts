import type { PublicationUrls, PublishedVersionView } from './types.ts'

/**
 * The published layer as W3C Web Annotation JSON-LD
 * (https://www.w3.org/TR/annotation-model/) and as the containers and pages
 * of the Web Annotation Protocol (https://www.w3.org/TR/annotation-protocol/).
 * Pure: the routes bring the versions and the URLs and set the HTTP headers.
 * Every document built here is checked against the MUST assertions of the
 * W3C annotation-model suite in web-annotation.test.ts.
 */

/** The one @context of an annotation; the https form fails the W3C schemas. */
export const annotationContext = 'http://www.w3.org/ns/anno.jsonld'
/** A container is also an LDP Basic Container (protocol §4.1). */
export const containerContext = [annotationContext, 'http://www.w3.org/ns/ldp.jsonld'] as const

/** The media type of every document here (protocol §3.1, §4). */
export const annotationMediaType = 'application/ld+json; profile="http://www.w3.org/ns/anno.jsonld"'

/** The IRIs a client names in `Prefer: return=representation;include="…"` (protocol §4.2). */
export const preferIris = {
	minimal: 'http://www.w3.org/ns/ldp#PreferMinimalContainer',
	iris: 'http://www.w3.org/ns/oa#PreferContainedIRIs',
	descriptions: 'http://www.w3.org/ns/oa#PreferContainedDescriptions',
} as const

/**
 * How much of a container to embed: `minimal` (first/last as IRIs only),
 * `iris` (the first page with its annotations as IRIs) or `descriptions`
 * (the first page with the annotations in full, the default).
 */
export type ContainerPreference = keyof typeof preferIris

/** Annotations per page unless a caller says otherwise. */
export const defaultPageSize = 100

// ---------------------------------------------------------------------------
// The documents

export interface TextualBody {
	type: 'TextualBody'
	value: string
	format?: 'text/markdown' | 'text/plain'
	language?: string
	purpose?: string
}

export interface TextQuoteSelector {
	type: 'TextQuoteSelector'
	exact: string
	prefix: string
	suffix: string
}

export interface TextPositionSelector {
	type: 'TextPositionSelector'
	start: number
	end: number
}

export interface SpecificResourceTarget {
	type: 'SpecificResource'
	source: string
	selector: [TextQuoteSelector, TextPositionSelector]
}

export interface WebAnnotation {
	'@context'?: typeof annotationContext
	id: string
	type: 'Annotation'
	motivation: string
	body?: TextualBody[]
	/** A root annotation points into its edition; a reply points at its parent's current IRI. */
	target: SpecificResourceTarget | string
	creator: { type: 'Person'; name: string }
	created: string
	modified?: string
	generated?: string
	generator?: { type: 'Software'; name: string }
	/** The annotation's current IRI, the same for every version (model §3.3.7). */
	canonical: string
	/** schema.org's status of a creative work: Published, Superseded or Retracted. */
	'schema:creativeWorkStatus': 'Published' | 'Superseded' | 'Retracted'
	/** A superseded version names the version that replaced it. */
	'dcterms:isReplacedBy'?: { id: string }
	/** A retracted version carries its public notice. */
	'schema:correction'?: { type: 'schema:CorrectionComment'; 'schema:text': string; 'schema:dateCreated': string }
}

/** What a page says about the container it is part of: an object, as the W3C schemas require. */
export interface ContainerSummary {
	id: string
	total: number
	label?: string
	modified?: string
	first?: string
	last?: string
}

export interface AnnotationPage {
	'@context'?: typeof annotationContext
	id: string
	type: 'AnnotationPage'
	partOf?: ContainerSummary
	startIndex: number
	next?: string
	prev?: string
	items: (WebAnnotation | string)[]
}

export interface AnnotationContainer {
	'@context': typeof containerContext
	id: string
	type: ['BasicContainer', 'AnnotationCollection']
	label: string
	total: number
	modified?: string
	first?: AnnotationPage | string
	last?: string
}

export interface WebAnnotationOptions {
	/** The body's language (BCP 47), when it is known; left out otherwise. */
	language?: string
	/** When this serialization was made; `generated` and `generator` are left out without it. */
	generated?: Date
}

const creativeWorkStatus = {
	published: 'Published',
	superseded: 'Superseded',
	retracted: 'Retracted',
} as const

/** ISO 8601 in UTC with a Z: the W3C schemas refuse a date-time without a time zone. */
function isoInstant(value: string | Date): string {
	const date = typeof value === 'string' ? new Date(value) : value
	if (Number.isNaN(date.getTime())) throw new RangeError(`Not a date-time: ${String(value)}`)
	return date.toISOString()
}

/**
 * One published version as a Web Annotation. Its `id` is the version's
 * permalink and `canonical` the annotation's current IRI. A superseded or
 * retracted version says so plainly, in schema.org and Dublin Core terms
 * that anno.jsonld already prefixes, so that W3C processors keep them and
 * the W3C schemas still accept the document.
 */
export function toWebAnnotation(
	version: PublishedVersionView,
	urls: PublicationUrls,
	options: WebAnnotationOptions = {},
): WebAnnotation & { '@context': typeof annotationContext } {
	const isReply = version.parentId !== null
	const motivation = isReply ? 'replying' : version.motivation

	const body: TextualBody[] = []
	if (version.body.trim() !== '') {
		body.push({
			type: 'TextualBody',
			value: version.body,
			format: 'text/markdown',
			...(options.language ? { language: options.language } : {}),
			purpose: motivation,
		})
	}
	for (const tag of version.tags) body.push({ type: 'TextualBody', value: tag, purpose: 'tagging' })

	let target: WebAnnotation['target']
	if (version.parentId !== null) {
		target = urls.annotation(version.parentId)
	} else {
		const selector = version.selector
		if (!selector) throw new RangeError(`Root annotation ${version.annotationId} has no selector`)
		target = {
			type: 'SpecificResource',
			source: urls.edition(version.edition.documentId, version.edition.number),
			selector: [
				{ type: 'TextQuoteSelector', exact: selector.exact, prefix: selector.prefix, suffix: selector.suffix },
				{ type: 'TextPositionSelector', start: selector.start, end: selector.end },
			],
		}
	}

	// `modified`: when this version's representation last changed after the
	// annotation was created: its retraction, or its publication as a new version.
	const modified =
		version.retraction !== null
			? isoInstant(version.retraction.at)
			: version.number > 1
				? isoInstant(version.publishedAt)
				: undefined

	return {
		'@context': annotationContext,
		id: urls.version(version.annotationId, version.number),
		type: 'Annotation',
		motivation,
		...(body.length > 0 ? { body } : {}),
		target,
		creator: { type: 'Person', name: version.author.name },
		created: isoInstant(version.createdAt),
		...(modified ? { modified } : {}),
		...(options.generated
			? { generated: isoInstant(options.generated), generator: { type: 'Software', name: 'Scholion' } }
			: {}),
		canonical: urls.annotation(version.annotationId),
		'schema:creativeWorkStatus': creativeWorkStatus[version.standing],
		...(version.standing === 'superseded' && version.supersededBy !== null
			? { 'dcterms:isReplacedBy': { id: urls.version(version.annotationId, version.supersededBy) } }
			: {}),
		...(version.retraction !== null
			? {
					'schema:correction': {
						type: 'schema:CorrectionComment',
						'schema:text': version.retraction.notice,
						'schema:dateCreated': isoInstant(version.retraction.at),
					},
				}
			: {}),
	}
}

// ---------------------------------------------------------------------------
// Containers and pages (protocol §4)

/**
 * The IRI of one page of a container. Pages of IRIs and pages of full
 * descriptions are different resources (protocol §4.2), so the IRIs page
 * carries `iris=1`; the routes read `page` and `iris` back from the query.
 */
export function pageIri(containerId: string, page: number, preference: ContainerPreference = 'descriptions'): string {
	if (!Number.isInteger(page) || page < 0) throw new RangeError(`Not a page number: ${page}`)
	const url = new URL(containerId)
	if (preference === 'iris') url.searchParams.set('iris', '1')
	url.searchParams.set('page', String(page))
	return url.href
}

/** The number of the last page (0 for an empty container, whose page 0 is empty). */
export function lastPageOf(total: number, pageSize = defaultPageSize): number {
	if (!Number.isInteger(pageSize) || pageSize < 1) throw new RangeError(`Not a page size: ${pageSize}`)
	return Math.max(0, Math.ceil(total / pageSize) - 1)
}

/** The latest moment any of the versions was published or retracted. */
function latestChange(versions: readonly PublishedVersionView[]): string | undefined {
	let latest: number | undefined
	for (const version of versions) {
		for (const at of [version.publishedAt, version.retraction?.at]) {
			if (at === undefined) continue
			const time = new Date(at).getTime()
			if (latest === undefined || time > latest) latest = time
		}
	}
	return latest === undefined ? undefined : new Date(latest).toISOString()
}

interface PageInput {
	containerId: string
	page: number
	/** Every version in the container, in the container's order; the page takes its slice. */
	versions: readonly PublishedVersionView[]
	pageSize?: number
	/** `minimal` has no bearing on a page: it gets full descriptions. */
	preference?: ContainerPreference
	urls: PublicationUrls
	/** The container's label, repeated in `partOf`. */
	label?: string
	options?: WebAnnotationOptions
}

function pageBody(input: PageInput, embedded: boolean): AnnotationPage {
	const { containerId, page, versions, urls } = input
	const pageSize = input.pageSize ?? defaultPageSize
	const preference = input.preference === 'iris' ? 'iris' : 'descriptions'
	const last = lastPageOf(versions.length, pageSize)
	const startIndex = page * pageSize
	const items = versions.slice(startIndex, startIndex + pageSize).map((version) => {
		if (preference === 'iris') return urls.version(version.annotationId, version.number)
		const { '@context': _inherited, ...annotation } = toWebAnnotation(version, urls, input.options)
		return annotation
	})
	const modified = latestChange(versions)
	return {
		id: pageIri(containerId, page, preference),
		type: 'AnnotationPage',
		// Embedded as the container's `first`, the page is already inside what it would point to.
		...(embedded
			? {}
			: {
					partOf: {
						id: containerId,
						total: versions.length,
						...(input.label !== undefined ? { label: input.label } : {}),
						...(modified ? { modified } : {}),
						...(versions.length > 0
							? { first: pageIri(containerId, 0, preference), last: pageIri(containerId, last, preference) }
							: {}),
					},
				}),
		startIndex,
		...(page < last ? { next: pageIri(containerId, page + 1, preference) } : {}),
		...(page > 0 ? { prev: pageIri(containerId, page - 1, preference) } : {}),
		items,
	}
}

/**
 * One page of a container (`?page=N`, or `?iris=1&page=N`), or null when
 * there is no such page (a 404 for the route).
 */
export function toAnnotationPage(input: PageInput): (AnnotationPage & { '@context': typeof annotationContext }) | null {
	const pageSize = input.pageSize ?? defaultPageSize
	if (!Number.isInteger(input.page) || input.page < 0 || input.page > lastPageOf(input.versions.length, pageSize)) {
		return null
	}
	return { '@context': annotationContext, ...pageBody(input, false) }
}

/**
 * An edition's container: an AnnotationCollection that is also an
 * ldp:BasicContainer. With `minimal`, first and last are IRIs only; otherwise
 * the first page is embedded, its items as IRIs (`iris`) or in full
 * (`descriptions`). An empty container has neither first nor last.
 */
export function toContainer(input: {
	/** The container's IRI, `urls.container(documentId, editionNumber)`. */
	id: string
	label: string
	versions: readonly PublishedVersionView[]
	pageSize?: number
	preference?: ContainerPreference
	/**
	 * With `minimal`, which pages first and last name: a client that asks for
	 * the minimal container and for IRIs gets the IRI pages (protocol §4.2's example).
	 */
	minimalPages?: 'iris' | 'descriptions'
	urls: PublicationUrls
	options?: WebAnnotationOptions
}): AnnotationContainer {
	const { id, label, versions, urls, options } = input
	const pageSize = input.pageSize ?? defaultPageSize
	const preference = input.preference ?? 'descriptions'
	const pages = preference === 'iris' || (preference === 'minimal' && input.minimalPages === 'iris') ? 'iris' : 'descriptions'
	const modified = latestChange(versions)
	const container: AnnotationContainer = {
		'@context': containerContext,
		id,
		type: ['BasicContainer', 'AnnotationCollection'],
		label,
		total: versions.length,
		...(modified ? { modified } : {}),
	}
	if (versions.length === 0) return container
	container.first =
		preference === 'minimal'
			? pageIri(id, 0, pages)
			: pageBody({ containerId: id, page: 0, versions, pageSize, preference, urls, options }, true)
	container.last = pageIri(id, lastPageOf(versions.length, pageSize), pages)
	return container
}

/**
 * The container preference of a request's `Prefer` header
 * (`return=representation;include="…"`, RFC 7240): minimal wins over IRIs,
 * IRIs over descriptions; anything else, or no header, means descriptions.
 */
export function parsePrefer(header: string | null): ContainerPreference {
	const included = preferIncludes(header)
	if (included.has(preferIris.minimal)) return 'minimal'
	if (included.has(preferIris.iris)) return 'iris'
	return 'descriptions'
}

/** The IRIs a `Prefer` header's `include` names. */
export function preferIncludes(header: string | null): Set<string> {
	const included = new Set<string>()
	if (!header) return included
	for (const match of header.matchAll(/(?:^|[;,\s])include\s*=\s*(?:"([^"]*)"|([^\s;,]+))/gi)) {
		for (const iri of (match[1] ?? match[2] ?? '').split(/\s+/)) if (iri) included.add(iri)
	}
	return included
}
