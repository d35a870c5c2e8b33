import type { MetaDescriptor } from '@remix-run/node'
import { motivationLabels } from '#app/annotations/types.ts'
import type { EditionSummary, PermalinkPageData } from './types.ts'

/** The <head> and response headers of the public reader's pages, shared by the routes that show the same page. */

const site = 'Scholion'

export function editionMeta(page: EditionSummary | undefined): MetaDescriptor[] {
	if (!page) return [{ title: `Not found · ${site}` }]
	const { edition } = page
	return [
		{ title: `${edition.documentTitle}, edition ${edition.number} · ${site}` },
		{
			name: 'description',
			content: `Edition ${edition.number} of “${edition.documentTitle}”, published by ${edition.groupName}, with ${page.noteCount} published annotations.`,
		},
		{ tagName: 'link', rel: 'canonical', href: page.links.edition },
		{
			tagName: 'link',
			rel: 'alternate',
			type: 'application/atom+xml',
			title: `New annotations on ${edition.documentTitle}`,
			href: page.links.feed,
		},
	]
}

/** The edition announces its W3C Web Annotation Protocol container (Web Annotation Protocol §4, discovery). */
export function editionHeaders(page: EditionSummary): HeadersInit {
	return { Link: `<${page.links.container}>; rel="http://www.w3.org/ns/oa#annotationService"` }
}

export function permalinkMeta(page: PermalinkPageData | undefined): MetaDescriptor[] {
	if (!page) return [{ title: `Not found · ${site}` }]
	const { version } = page
	const kind = version.parentId ? 'Reply' : motivationLabels[version.motivation]
	return [
		{ title: `${kind} by ${version.author.name} (version ${version.number}) on ${version.edition.documentTitle} · ${site}` },
		{ tagName: 'link', rel: 'canonical', href: page.links.version },
		{ tagName: 'link', rel: 'alternate', type: 'application/ld+json', href: page.links.jsonLd },
	]
}

/**
 * HTML and JSON-LD share the permalink's URL (server/http.ts sends a request
 * that prefers JSON-LD to its resource route): caches must keep them apart.
 */
export function permalinkHeaders(): HeadersInit {
	return { Vary: 'Accept' }
}
