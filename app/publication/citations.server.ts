import { Cite, plugins, type CslItem, type RisRecord } from '@citation-js/core'
import '@citation-js/plugin-bibtex'
import '@citation-js/plugin-csl'
import '@citation-js/plugin-ris'
import { parse as parseName } from '@citation-js/name'
import { JSDOM } from 'jsdom'
import { Cite as RehypeCitationCite } from 'rehype-citation'
import { motivationLabels } from '#app/annotations/types.ts'
import type { EditionView, PublicationUrls, PublishedVersionView } from './types.ts'

/**
 * Citations of a published annotation version or of an edition, every one
 * produced by Citation.js from a single CSL-JSON item: APA (the CSL style
 * Citation.js ships), MLA 9th edition and Chicago author-date (the
 * citation-style-language styles that rehype-citation ships; Citation.js has
 * none), BibTeX and RIS. Server-only: it loads citeproc and the styles, and
 * the browser's Cite dialog gets the strings.
 */

export interface Citations {
	apa: string
	mla: string
	chicago: string
	bibtex: string
	ris: string
	/** The CSL-JSON item (an array of one, as CSL-JSON files are), pretty-printed. */
	cslJson: string
}

export interface CitationOptions {
	/** When the reader accessed it; left out unless given, so a citation does not change by the day. */
	accessed?: Date
}

/** The registered CSL template names, by the style's id in the CSL styles repository. */
export const cslTemplates = {
	apa: 'apa',
	mla: 'modern-language-association',
	chicago: 'chicago-author-date',
} as const

const locale = 'en-US'

function registerStyles() {
	const templates = plugins.config.get('@csl').templates
	if (templates.has(cslTemplates.mla) && templates.has(cslTemplates.chicago)) return
	// rehype-citation registers the two styles (as "mla" and "chicago") in its
	// own copy of Citation.js; reading them through its plugin registry keeps
	// us off its file layout.
	const theirs = (RehypeCitationCite.plugins as typeof plugins).config.get('@csl').templates
	for (const [ours, name] of [[cslTemplates.mla, 'mla'], [cslTemplates.chicago, 'chicago']] as const) {
		const xml = theirs.get(name)
		if (!xml) throw new Error(`[citations] rehype-citation no longer ships the CSL style "${name}"`)
		templates.add(ours, xml)
	}
}
registerStyles()

/** CSL date-parts of an instant, as a calendar date in UTC. */
function dateParts(value: string | Date): { 'date-parts': [[number, number, number]] } {
	const date = typeof value === 'string' ? new Date(value) : value
	if (Number.isNaN(date.getTime())) throw new RangeError(`Not a date-time: ${String(value)}`)
	return { 'date-parts': [[date.getUTCFullYear(), date.getUTCMonth() + 1, date.getUTCDate()]] }
}

/**
 * A display name as CSL wants it: given and family split by Citation.js's
 * name parser (particles and suffixes included) when there are two words or
 * more, else kept whole as a literal (a mononym or a group's name).
 */
function cslName(name: string): Record<string, string> {
	const trimmed = name.trim()
	if (!/\s/.test(trimmed)) return { literal: trimmed }
	const parsed = parseName(trimmed)
	return parsed.family ? parsed : { literal: trimmed }
}

/** The words of a rendered body, as a reader sees them. */
function plainText(html: string): string {
	return (JSDOM.fragment(html).textContent ?? '').replace(/\s+/g, ' ').trim()
}

/** APA's rule for comments and posts without a title: the first twenty words stand in for it. */
function firstWords(text: string, count = 20): string {
	return text.split(' ').slice(0, count).join(' ').replace(/[\s.,;:!?…]+$/u, '')
}

/** The title a version is cited by: its first words, or what it is and where it points. */
function versionTitle(version: PublishedVersionView): string {
	const words = firstWords(plainText(version.bodyHtml))
	if (words) return words
	if (version.parentId !== null) return 'Reply'
	const label = motivationLabels[version.motivation]
	return version.selector ? `${label} on “${firstWords(version.selector.exact, 12)}”` : label
}

/** The descriptor after the title ("[Annotation]" in APA): the version and a retraction say so too. */
function versionGenre(version: PublishedVersionView): string {
	const kind = version.parentId !== null ? 'Reply to an annotation' : 'Annotation'
	const parts = [version.standing === 'retracted' ? `Retracted ${kind.toLowerCase()}` : kind]
	if (version.number > 1) parts.push(`version ${version.number}`)
	return parts.join(', ')
}

/** The CSL-JSON item for one published annotation version: a "post" in its edition, by the group. */
export function versionCslItem(version: PublishedVersionView, urls: PublicationUrls, options: CitationOptions = {}): CslItem {
	const { edition } = version
	return {
		// Version first: RIS keeps 20 characters of the id.
		id: `v${version.number}-${version.annotationId}`,
		type: 'post',
		title: versionTitle(version),
		genre: versionGenre(version),
		author: [cslName(version.author.name)],
		issued: dateParts(version.publishedAt),
		'container-title': `${edition.documentTitle}, edition ${edition.number}`,
		publisher: edition.groupName,
		URL: urls.version(version.annotationId, version.number),
		...(version.standing === 'retracted' ? { status: 'retracted' } : {}),
		...(options.accessed ? { accessed: dateParts(options.accessed) } : {}),
	}
}

/** The CSL-JSON item for an edition: the document's text as the group froze and published it. */
export function editionCslItem(edition: EditionView, urls: PublicationUrls, options: CitationOptions = {}): CslItem {
	return {
		id: `e${edition.number}-${edition.documentId}`,
		type: 'book',
		title: edition.documentTitle,
		edition: String(edition.number),
		issued: dateParts(edition.createdAt),
		publisher: edition.groupName,
		URL: urls.edition(edition.documentId, edition.number),
		...(options.accessed ? { accessed: dateParts(options.accessed) } : {}),
	}
}

/**
 * RIS lines from Citation.js's RIS record. Its own text output cuts every
 * value into 70-character lines (@citation-js/plugin-ris 0.7 and 0.8,
 * `format()` in ris.js), and importers, Citation.js's own parser included,
 * join the pieces with a space: a long title or permalink comes back broken.
 * The record (which tags, which values) is the library's; only the line
 * layout (RIS: `TY` first, `TAG  - value`, `ER  - ` last) is done here.
 */
function risText(records: RisRecord[]): string {
	return records
		.map(({ TY, ...tags }) =>
			[
				`TY  - ${TY}`,
				...Object.entries(tags).flatMap(([tag, value]) => [value].flat().map((one) => `${tag}  - ${String(one)}`)),
				'ER  - ',
			].join('\n'),
		)
		.join('\n\n')
}

function citationsOf(item: CslItem): Citations {
	const cite = new Cite(item)
	const bibliography = (template: string) => cite.format('bibliography', { format: 'text', template, lang: locale }).trim()
	return {
		apa: bibliography(cslTemplates.apa),
		mla: bibliography(cslTemplates.mla),
		chicago: bibliography(cslTemplates.chicago),
		bibtex: cite.format('bibtex', { format: 'text' }).trim(),
		ris: risText(cite.format('ris', { format: 'object' })),
		cslJson: cite.format('data', { format: 'text' }),
	}
}

/** Every citation of one published annotation version, pointing at its permalink. */
export function versionCitation(version: PublishedVersionView, urls: PublicationUrls, options: CitationOptions = {}): Citations {
	return citationsOf(versionCslItem(version, urls, options))
}

/** Every citation of an edition, pointing at its permalink. */
export function editionCitation(edition: EditionView, urls: PublicationUrls, options: CitationOptions = {}): Citations {
	return citationsOf(editionCslItem(edition, urls, options))
}
