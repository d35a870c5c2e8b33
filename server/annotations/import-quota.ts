/** How many annotations imports may bring; hand-made annotations are not counted against it one by one. */
export interface AnnotationImportQuota {
	/** Annotations and replies one imported file may create. */
	perImport: number
	/** Annotations a document may hold after an import, replies and everyone's drafts included. */
	perDocument: number
}

/**
 * A seminar's reading collects a few hundred annotations, a heavily used one a
 * few thousand; a Hypothesis export of one reader's notes on one text rarely
 * reaches a hundred.
 */
export const defaultAnnotationImportQuota: AnnotationImportQuota = { perImport: 2_000, perDocument: 10_000 }

/** The refusal of a file that holds more than `perImport` annotations and replies to import. */
export function fileQuotaMessage(incoming: number, perImport: number): string {
	return (
		`The file holds ${formatCount(incoming)} annotations and replies to import; Scholion imports up to ` +
		`${formatCount(perImport)} from one file. Split it into smaller files and import each.`
	)
}

function formatCount(n: number): string {
	return n.toLocaleString('en')
}

/** The refusal of an import that would take a document past `perDocument` annotations. */
export function documentQuotaMessage(existing: number, incoming: number, perDocument: number): string {
	return (
		`This document already holds ${formatCount(existing)} annotations (replies and drafts included); ` +
		`${formatCount(incoming)} more would take it past ${formatCount(perDocument)}, the most an import may bring it to.`
	)
}
