import { z } from 'zod'
import { motivations, type Motivation } from '#app/annotations/types.ts'

/**
 * The two file formats annotations are imported from, checked with zod and
 * turned into one shape (`FileAnnotation`):
 *
 * - a Hypothesis export: the API's search answer `{ total, rows: [...] }`, the
 *   client's export `{ annotations: [...] }`, or a bare array of its rows
 *   (https://h.readthedocs.io/en/latest/api-reference/v1/#tag/annotations);
 * - any W3C Web Annotation collection (https://www.w3.org/TR/annotation-model/):
 *   an AnnotationCollection with its first page embedded, an AnnotationPage,
 *   a JSON array of Annotations, or a single Annotation.
 *
 * Both place an annotation by its TextQuoteSelector (a TextPositionSelector
 * only hints where to look first; a Hypothesis RangeSelector points into
 * Hypothesis' copy of the page and means nothing here).
 */

export type FileFormat = 'hypothesis' | 'w3c'

/** One annotation of the file, before it is placed. */
export interface FileAnnotation {
	/** The file's id for it (generated from its position when it has none). */
	key: string
	/** Other ids the file may use for it (a W3C `canonical`, a version's IRI). */
	aliases: string[]
	/** What it replies to: a Hypothesis thread root, or a W3C reply's target IRI. */
	repliesTo: string | null
	motivation: Motivation
	body: string
	tags: string[]
	createdAt: Date | null
	quote: { exact: string; prefix: string; suffix: string } | null
	position: { start: number; end: number } | null
	/** A reason it cannot be imported at all, known from the file alone. */
	unusable: string | null
}

// ---------------------------------------------------------------------------
// Selectors (shared)

const textQuoteSelector = z.object({
	type: z.literal('TextQuoteSelector'),
	exact: z.string(),
	prefix: z.string().optional(),
	suffix: z.string().optional(),
})

const textPositionSelector = z.object({
	type: z.literal('TextPositionSelector'),
	start: z.number().int().nonnegative(),
	end: z.number().int().nonnegative(),
})

/** Any selector: the two Scholion reads are checked, others (RangeSelector, XPath, CSS…) are let through and ignored. */
const otherSelector = z
	.object({ type: z.string().refine((t) => t !== 'TextQuoteSelector' && t !== 'TextPositionSelector', 'a malformed selector') })
	.passthrough()
const selector = z.union([textQuoteSelector, textPositionSelector, otherSelector])
type Selector = z.infer<typeof selector>

function placeOf(selectors: readonly Selector[]): Pick<FileAnnotation, 'quote' | 'position'> {
	const quote = selectors.find((s): s is z.infer<typeof textQuoteSelector> => s.type === 'TextQuoteSelector' && 'exact' in s)
	const position = selectors.find((s): s is z.infer<typeof textPositionSelector> => s.type === 'TextPositionSelector' && 'start' in s)
	return {
		quote: quote && quote.exact.trim() !== '' ? { exact: quote.exact, prefix: quote.prefix ?? '', suffix: quote.suffix ?? '' } : null,
		position: position && position.end > position.start ? { start: position.start, end: position.end } : null,
	}
}

function dateOf(value: string | undefined): Date | null {
	if (!value) return null
	const date = new Date(value)
	// A date in the future is a clock error somewhere; the import's own time is truer.
	return Number.isNaN(date.getTime()) || date.getTime() > Date.now() ? null : date
}

// ---------------------------------------------------------------------------
// Hypothesis

const hypothesisRow = z
	.object({
		id: z.string().min(1),
		created: z.string().optional(),
		text: z.string().nullish(),
		tags: z.array(z.string()).nullish(),
		target: z.array(z.object({ source: z.string().optional(), selector: z.array(selector).optional() }).passthrough()),
		references: z.array(z.string()).optional(),
	})
	.passthrough()

const hypothesisFile = z.union([
	z.object({ rows: z.array(hypothesisRow) }).passthrough(),
	z.object({ annotations: z.array(hypothesisRow) }).passthrough(),
	z.array(hypothesisRow),
])

function fromHypothesis(row: z.infer<typeof hypothesisRow>): FileAnnotation {
	const place = placeOf(row.target.flatMap((t) => t.selector ?? []))
	const body = row.text ?? ''
	const tags = row.tags ?? []
	// Replies list every ancestor, thread root first; Scholion's threads are one level deep.
	const repliesTo = row.references && row.references.length > 0 ? row.references[0]! : null
	return {
		key: row.id,
		aliases: [],
		repliesTo,
		motivation: body.trim() === '' ? (tags.length > 0 ? 'tagging' : 'highlighting') : 'commenting',
		body,
		tags,
		createdAt: dateOf(row.created),
		...place,
		unusable: null,
	}
}

// ---------------------------------------------------------------------------
// W3C Web Annotation

const oneOrMore = <T extends z.ZodTypeAny>(schema: T) => z.union([schema, z.array(schema)]).transform((v) => (Array.isArray(v) ? v : [v]) as z.infer<T>[])

const body = z.union([
	z.string(),
	z
		.object({
			type: z.string().optional(),
			id: z.string().optional(),
			value: z.string().optional(),
			purpose: oneOrMore(z.string()).optional(),
		})
		.passthrough(),
])

const target = z.union([
	z.string(),
	z
		.object({
			id: z.string().optional(),
			source: z.string().optional(),
			selector: oneOrMore(selector).optional(),
		})
		.passthrough(),
])

const webAnnotation = z
	.object({
		id: z.string().optional(),
		type: oneOrMore(z.string()).refine((types) => types.includes('Annotation'), 'expected type "Annotation"'),
		motivation: oneOrMore(z.string()).optional(),
		body: oneOrMore(body).optional(),
		bodyValue: z.string().optional(),
		target: oneOrMore(target),
		created: z.string().optional(),
		canonical: z.string().optional(),
		via: oneOrMore(z.string()).optional(),
	})
	.passthrough()

/** An item of a page: an annotation in full, or only its IRI (a page asked for with PreferContainedIRIs). */
const pageItem = z.union([z.string(), webAnnotation])

const annotationPage = z
	.object({
		type: oneOrMore(z.string()).refine((types) => types.includes('AnnotationPage'), 'expected type "AnnotationPage"'),
		items: z.array(pageItem),
		next: z.union([z.string(), z.object({}).passthrough()]).optional(),
	})
	.passthrough()

const annotationCollection = z
	.object({
		type: oneOrMore(z.string()).refine((types) => types.includes('AnnotationCollection'), 'expected type "AnnotationCollection"'),
		total: z.number().int().nonnegative().optional(),
		first: z.union([z.string(), annotationPage]).optional(),
	})
	.passthrough()

/** Scholion's motivations, and how the W3C's others read here. */
function motivationOf(names: readonly string[]): Motivation {
	for (const name of names) {
		const bare = name.replace(/^oa:/, '')
		if ((motivations as readonly string[]).includes(bare)) return bare as Motivation
	}
	if (names.some((n) => /^(oa:)?(describing|classifying|identifying|moderating)$/.test(n))) return 'commenting'
	if (names.some((n) => /^(oa:)?bookmarking$/.test(n))) return 'highlighting'
	return 'commenting'
}

function fromWebAnnotation(annotation: z.infer<typeof webAnnotation>, index: number): FileAnnotation {
	const motivationNames = annotation.motivation ?? []
	const bodies = annotation.body ?? []
	const tags: string[] = []
	const texts: string[] = []
	if (annotation.bodyValue) texts.push(annotation.bodyValue)
	for (const b of bodies) {
		if (typeof b === 'string') texts.push(b)
		else if (b.value !== undefined && b.purpose?.some((p) => p.replace(/^oa:/, '') === 'tagging')) tags.push(b.value)
		else if (b.value !== undefined) texts.push(b.value)
		else if (b.id) texts.push(b.id)
	}
	const isReply = motivationNames.some((m) => m.replace(/^oa:/, '') === 'replying')
	const targets = annotation.target
	const resource = targets.find((t) => typeof t !== 'string' && t.selector?.length)
	const place = resource && typeof resource !== 'string' ? placeOf(resource.selector ?? []) : { quote: null, position: null }
	const repliesTo = isReply
		? targets.map((t) => (typeof t === 'string' ? t : (t.id ?? t.source ?? null))).find((t): t is string => Boolean(t)) ?? null
		: null
	const textBody = texts.join('\n\n')
	return {
		key: annotation.id ?? `#${index + 1}`,
		aliases: [annotation.canonical, ...(annotation.via ?? [])].filter((a): a is string => Boolean(a)),
		repliesTo,
		motivation: motivationNames.length
			? motivationOf(motivationNames)
			: textBody.trim() === '' && tags.length > 0
				? 'tagging'
				: 'commenting',
		body: textBody,
		tags,
		createdAt: dateOf(annotation.created),
		...place,
		unusable: null,
	}
}

// ---------------------------------------------------------------------------
// The file

export type ParsedFile =
	| { ok: true; format: FileFormat; annotations: FileAnnotation[]; notInFile: number }
	| { ok: false; error: string }

/** Reads a file's JSON as one of the formats, or says plainly why it cannot. */
export function parseAnnotationFile(text: string): ParsedFile {
	let json: unknown
	try {
		json = JSON.parse(text.replace(/^\uFEFF/, ''))
	} catch {
		return { ok: false, error: 'This file is not JSON. Choose a Hypothesis export or a W3C Web Annotation collection (.json or .jsonld).' }
	}
	const format = formatOf(json)
	if (!format) {
		return {
			ok: false,
			error: 'This is JSON, but neither a Hypothesis export nor a W3C Web Annotation collection, page or list of annotations.',
		}
	}
	if (format === 'hypothesis') {
		const parsed = hypothesisFile.safeParse(json)
		if (!parsed.success) return { ok: false, error: `This Hypothesis export cannot be read: ${describe(parsed.error)}` }
		const data = parsed.data
		const rows: z.infer<typeof hypothesisRow>[] = Array.isArray(data)
			? data
			: ((data as { rows?: z.infer<typeof hypothesisRow>[] }).rows ?? (data as { annotations: z.infer<typeof hypothesisRow>[] }).annotations)
		return { ok: true, format, annotations: rows.map(fromHypothesis), notInFile: 0 }
	}
	return fromW3c(json)
}

function fromW3c(json: unknown): ParsedFile {
	let items: z.infer<typeof pageItem>[]
	let notInFile = 0
	const types = typesOf(json)
	if (types.includes('AnnotationCollection')) {
		const parsed = annotationCollection.safeParse(json)
		if (!parsed.success) return { ok: false, error: `This annotation collection cannot be read: ${describe(parsed.error)}` }
		const { first, total } = parsed.data
		if (typeof first === 'string') {
			return { ok: false, error: 'This collection only links to its annotations (its first page is not in the file). Export it with the annotations embedded.' }
		}
		items = first?.items ?? []
		notInFile = Math.max(0, (total ?? items.length) - items.length)
	} else if (types.includes('AnnotationPage')) {
		const parsed = annotationPage.safeParse(json)
		if (!parsed.success) return { ok: false, error: `This annotation page cannot be read: ${describe(parsed.error)}` }
		items = parsed.data.items
	} else {
		const parsed = z.union([webAnnotation, z.array(webAnnotation)]).safeParse(json)
		if (!parsed.success) return { ok: false, error: `These annotations cannot be read: ${describe(parsed.error)}` }
		items = Array.isArray(parsed.data) ? parsed.data : [parsed.data]
	}
	const annotations = items.map((item, i) => {
		if (typeof item !== 'string') return fromWebAnnotation(item, i)
		return {
			...fromWebAnnotation({ type: ['Annotation'], target: [] }, i),
			key: item,
			unusable: 'only a link to the annotation is in the file, not the annotation',
		}
	})
	return { ok: true, format: 'w3c', annotations, notInFile }
}

function typesOf(json: unknown): string[] {
	if (!json || typeof json !== 'object' || Array.isArray(json)) return []
	const type = (json as { type?: unknown }).type
	return (Array.isArray(type) ? type : [type]).filter((t): t is string => typeof t === 'string')
}

function formatOf(json: unknown): FileFormat | null {
	if (Array.isArray(json)) {
		const first = json[0] as Record<string, unknown> | undefined
		if (first && typeof first === 'object' && ('@context' in first || 'type' in first)) return 'w3c'
		return 'hypothesis'
	}
	if (!json || typeof json !== 'object') return null
	if ('rows' in json || ('annotations' in json && Array.isArray((json as { annotations: unknown }).annotations))) return 'hypothesis'
	const types = typesOf(json)
	if (types.some((t) => t === 'AnnotationCollection' || t === 'AnnotationPage' || t === 'Annotation')) return 'w3c'
	return null
}

/** The first problem zod found, as a person reads it: where, and what was expected. */
function describe(error: z.ZodError): string {
	const issue = deepest(error.issues[0]!)
	const where = issue.path.length ? ` at ${issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${p}`)).join('').replace(/^\./, '')}` : ''
	return `${issue.message}${where}.`
}

/** A union's issue names each branch's failure; the one that got furthest says most. */
function deepest(issue: z.ZodIssue): z.ZodIssue {
	if (issue.code !== 'invalid_union') return issue
	const candidates = issue.unionErrors.flatMap((e) => e.issues.map(deepest))
	return candidates.sort((a, b) => b.path.length - a.path.length)[0] ?? issue
}
