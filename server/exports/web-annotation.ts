import { annotationStatusLabels } from '#app/annotations/types.ts'
import { annotationContext, type TextualBody, type SpecificResourceTarget } from '#app/publication/web-annotation.ts'
import { inThreadOrder, type ExportedAnnotation, type ExportedDocument } from './collect.ts'

/**
 * Working copies as W3C Web Annotations (https://www.w3.org/TR/annotation-model/),
 * the sibling of app/publication/web-annotation.ts for what is not (or not
 * yet) published: the annotation as it is in the workspace now, targeting
 * the live document at its address in the app rather than a frozen edition,
 * with its workflow status in schema.org's terms. Ids are absolute IRIs
 * under the app's origin. Checked against the W3C MUST assertions in
 * tests/integration/exports.test.ts.
 */

export interface WorkingCopyUrls {
	document(documentId: string): string
	annotation(documentId: string, annotationId: string): string
}

export function workingCopyUrls(origin: string): WorkingCopyUrls {
	const base = origin.replace(/\/+$/, '')
	return {
		document: (documentId) => `${base}/documents/${documentId}`,
		annotation: (documentId, annotationId) => `${base}/documents/${documentId}/annotations/${annotationId}`,
	}
}

export interface WorkingCopyAnnotation {
	id: string
	type: 'Annotation'
	motivation: string
	body?: TextualBody[]
	target: SpecificResourceTarget | string
	creator?: { type: 'Person'; name: string }
	created: string
	modified: string
	/** Where the annotation is in the workflow: Draft, Submitted, Published, … */
	'schema:creativeWorkStatus': string
}

export function toWorkingCopyAnnotation(exported: ExportedAnnotation, urls: WorkingCopyUrls): WorkingCopyAnnotation {
	const { view, documentId, place, author } = exported
	const isReply = view.parentId !== null
	const motivation = isReply ? 'replying' : view.motivation
	const body: TextualBody[] = []
	if (exported.body.trim() !== '') body.push({ type: 'TextualBody', value: exported.body, format: 'text/markdown', purpose: motivation })
	for (const tag of view.tags) body.push({ type: 'TextualBody', value: tag, purpose: 'tagging' })
	let target: WorkingCopyAnnotation['target']
	if (view.parentId !== null) {
		target = urls.annotation(documentId, view.parentId)
	} else {
		const anchor = view.anchor
		if (!anchor) throw new RangeError(`Root annotation ${view.id} has no anchor`)
		// An orphan keeps the last place it was described at: an importer will find it orphaned too.
		const s = place ?? { exact: anchor.exact, prefix: anchor.prefix, suffix: anchor.suffix, start: anchor.startOffset, end: anchor.endOffset }
		target = {
			type: 'SpecificResource',
			source: urls.document(documentId),
			selector: [
				{ type: 'TextQuoteSelector', exact: s.exact, prefix: s.prefix, suffix: s.suffix },
				{ type: 'TextPositionSelector', start: s.start, end: s.end },
			],
		}
	}
	return {
		id: urls.annotation(documentId, view.id),
		type: 'Annotation',
		motivation,
		...(body.length > 0 ? { body } : {}),
		target,
		...(author !== null ? { creator: { type: 'Person' as const, name: author } } : {}),
		created: new Date(view.createdAt).toISOString(),
		modified: new Date(view.modifiedAt).toISOString(),
		'schema:creativeWorkStatus': annotationStatusLabels[view.status],
	}
}

export interface WorkingCopyCollection {
	'@context': typeof annotationContext
	id: string
	type: 'AnnotationCollection'
	label: string
	total: number
	generated: string
	generator: { type: 'Software'; name: 'Scholion' }
	first?: { id: string; type: 'AnnotationPage'; startIndex: 0; items: WorkingCopyAnnotation[] }
	last?: string
}

/**
 * The whole export as one AnnotationCollection with its single page
 * embedded (model §5): a file to keep or to import elsewhere, not a paged
 * protocol container. Each root is followed by its replies.
 */
export function toWorkingCopyCollection(
	documents: ExportedDocument[],
	input: { id: string; label: string; origin: string; generated?: Date },
): WorkingCopyCollection {
	const urls = workingCopyUrls(input.origin)
	const items = inThreadOrder(documents).map((a) => toWorkingCopyAnnotation(a, urls))
	const page = `${input.id}#page-0`
	return {
		'@context': annotationContext,
		id: input.id,
		type: 'AnnotationCollection',
		label: input.label,
		total: items.length,
		generated: (input.generated ?? new Date()).toISOString(),
		generator: { type: 'Software', name: 'Scholion' },
		...(items.length > 0 ? { first: { id: page, type: 'AnnotationPage' as const, startIndex: 0 as const, items }, last: page } : {}),
	}
}
