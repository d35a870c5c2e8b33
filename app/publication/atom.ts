import { motivationLabels } from '#app/annotations/types.ts'
import type { EditionView, PublicationUrls, PublishedVersionView } from './types.ts'

/**
 * Atom feeds (RFC 4287, https://www.rfc-editor.org/rfc/rfc4287) of newly
 * published annotation versions. Written here rather than with the `feed`
 * package: feed 6 gives an entry a single link (no rel="related" to the
 * edition), types every title as HTML, and serializes through xml-js, which
 * wraps HTML in CDATA without splitting a "]]>" in it and leaves `&` and `<`
 * unescaped in attribute values. Here every text and attribute goes through
 * {@link xmlEscape}, HTML content is sent escaped as `type="html"`
 * (RFC 4287 §3.1.1.2), and characters XML 1.0 cannot carry are dropped.
 */

export const atomMediaType = 'application/atom+xml; charset=utf-8'

/** Characters outside XML 1.0's Char production (§2.2): control characters, lone surrogates, U+FFFE/U+FFFF. */
const notXmlChar = /[^\t\n\r\u0020-\uD7FF\uE000-\uFFFD\u{10000}-\u{10FFFF}]/gu

/** Text or an attribute value, safe anywhere in an XML document. */
export function xmlEscape(value: string): string {
	return value
		.replace(notXmlChar, '')
		.replace(/&/g, '&amp;')
		.replace(/</g, '&lt;')
		.replace(/>/g, '&gt;')
		.replace(/"/g, '&quot;')
		.replace(/'/g, '&apos;')
}

/** Text for an HTML fragment (before it is escaped again as Atom content). */
function htmlEscape(value: string): string {
	return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;')
}

export interface AtomLink {
	href: string
	rel: 'alternate' | 'related' | 'self'
	type?: string
	title?: string
}

export interface AtomEntry {
	id: string
	title: string
	/** ISO 8601 date-times. */
	published: string
	updated: string
	authorName: string
	/** An HTML fragment (already sanitized), sent as escaped `type="html"` content. */
	contentHtml: string
	links: AtomLink[]
	categories: { term: string; label?: string }[]
}

export interface AtomFeed {
	id: string
	title: string
	updated: string
	/** Names the feed's author, required when an entry could lack one (an empty feed). */
	authorName: string
	links: AtomLink[]
	entries: AtomEntry[]
}

function link({ href, rel, type, title }: AtomLink, indent: string): string {
	const attributes = [`rel="${rel}"`, `href="${xmlEscape(href)}"`]
	if (type) attributes.push(`type="${xmlEscape(type)}"`)
	if (title) attributes.push(`title="${xmlEscape(title)}"`)
	return `${indent}<link ${attributes.join(' ')}/>`
}

/** The feed as an XML document. */
export function renderAtom(feed: AtomFeed): string {
	const lines = [
		'<?xml version="1.0" encoding="utf-8"?>',
		'<feed xmlns="http://www.w3.org/2005/Atom">',
		`  <id>${xmlEscape(feed.id)}</id>`,
		`  <title type="text">${xmlEscape(feed.title)}</title>`,
		`  <updated>${xmlEscape(feed.updated)}</updated>`,
		`  <author><name>${xmlEscape(feed.authorName)}</name></author>`,
		'  <generator>Scholion</generator>',
		...feed.links.map((l) => link(l, '  ')),
	]
	for (const entry of feed.entries) {
		lines.push(
			'  <entry>',
			`    <id>${xmlEscape(entry.id)}</id>`,
			`    <title type="text">${xmlEscape(entry.title)}</title>`,
			`    <published>${xmlEscape(entry.published)}</published>`,
			`    <updated>${xmlEscape(entry.updated)}</updated>`,
			`    <author><name>${xmlEscape(entry.authorName)}</name></author>`,
			...entry.links.map((l) => link(l, '    ')),
			...entry.categories.map(
				(c) => `    <category term="${xmlEscape(c.term)}"${c.label ? ` label="${xmlEscape(c.label)}"` : ''}/>`,
			),
			`    <content type="html">${xmlEscape(entry.contentHtml)}</content>`,
			'  </entry>',
		)
	}
	lines.push('</feed>', '')
	return lines.join('\n')
}

/** The first words of a Markdown body as plain text, for a title. */
export function firstWords(markdown: string, count = 12): string {
	const plain = markdown
		.replace(/!?\[([^\]]*)\]\([^)]*\)/g, '$1')
		.replace(/[*_`#>~]|^\s*[-+]\s+/gm, '')
		.split(/\s+/)
		.filter(Boolean)
	return plain.slice(0, count).join(' ') + (plain.length > count ? '…' : '')
}

/** "Question: Which archive reports this?"; "Retracted: …" for a retracted version. */
export function entryTitle(version: PublishedVersionView): string {
	const kind = version.parentId !== null ? 'Reply' : motivationLabels[version.motivation]
	const words = firstWords(version.body)
	const title = words ? `${kind}: ${words}` : version.selector ? `${kind} on “${firstWords(version.selector.exact, 8)}”` : kind
	return version.retraction ? `Retracted: ${title}` : title
}

function entryContent(version: PublishedVersionView): string {
	const quote = version.selector ? `<blockquote><p>${htmlEscape(version.selector.exact)}</p></blockquote>` : ''
	if (version.retraction) {
		const day = version.retraction.at.slice(0, 10)
		return `${quote}<p><strong>Retracted on ${day}.</strong> ${htmlEscape(version.retraction.notice)}</p>`
	}
	return quote + version.bodyHtml
}

/** One published version as an entry: its permalink, its edition, its text (or its retraction notice). */
export function toAtomEntry(version: PublishedVersionView, urls: PublicationUrls): AtomEntry {
	const permalink = urls.version(version.annotationId, version.number)
	const { edition } = version
	return {
		id: permalink,
		title: entryTitle(version),
		published: version.publishedAt,
		updated: version.retraction?.at ?? version.publishedAt,
		authorName: version.author.name,
		contentHtml: entryContent(version),
		links: [
			{ rel: 'alternate', type: 'text/html', href: permalink },
			{ rel: 'alternate', type: 'application/ld+json', href: `${permalink}.jsonld` },
			{
				rel: 'related',
				type: 'text/html',
				href: urls.edition(edition.documentId, edition.number),
				title: `${edition.documentTitle}, edition ${edition.number}`,
			},
		],
		categories: [
			{ term: version.parentId !== null ? 'replying' : version.motivation, label: version.parentId !== null ? 'Reply' : motivationLabels[version.motivation] },
			...version.tags.map((tag) => ({ term: tag })),
		],
	}
}

/**
 * A feed of a group or a document: its newest published versions, newest
 * first; `latest` is the scope's newest edition, which dates an empty feed
 * and names its group or document.
 */
export function toAtomFeed(input: {
	selfHref: string
	title: string
	authorName: string
	latest: EditionView
	versions: readonly PublishedVersionView[]
	urls: PublicationUrls
	alternateHref?: string
}): AtomFeed {
	const entries = input.versions.map((version) => toAtomEntry(version, input.urls))
	const updated = entries.reduce((latest, entry) => (entry.updated > latest ? entry.updated : latest), input.latest.createdAt)
	return {
		id: input.selfHref,
		title: input.title,
		updated,
		authorName: input.authorName,
		links: [
			{ rel: 'self', type: 'application/atom+xml', href: input.selfHref },
			...(input.alternateHref ? [{ rel: 'alternate' as const, type: 'text/html', href: input.alternateHref }] : []),
		],
		entries,
	}
}
