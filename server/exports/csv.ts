import { stringify } from 'csv-stringify/sync'
import { inThreadOrder, type ExportedDocument } from './collect.ts'

/** The CSV's columns, in order (its header row). */
export const csvColumns = ['id', 'document', 'quote', 'prefix', 'suffix', 'start', 'end', 'motivation', 'body', 'tags', 'author', 'status', 'created', 'modified', 'parent id'] as const

/**
 * The annotations as CSV (RFC 4180, by csv-stringify): one row per
 * annotation or reply, each root followed by its replies. Selectors are
 * where the words are now (code points); an orphan keeps its last ones.
 * Tags are joined with ", ". Every text cell is quoted and neutralised
 * against formula injection (`neutralizeCell`); the offsets stay numbers.
 */
export function toCsv(documents: ExportedDocument[]): string {
	const rows = inThreadOrder(documents).map(({ view, documentTitle, place, author, body }) => {
		const anchor = place ?? (view.anchor ? { exact: view.anchor.exact, prefix: view.anchor.prefix, suffix: view.anchor.suffix, start: view.anchor.startOffset, end: view.anchor.endOffset } : null)
		return [
			view.id,
			documentTitle,
			anchor?.exact ?? '',
			anchor?.prefix ?? '',
			anchor?.suffix ?? '',
			anchor?.start ?? '',
			anchor?.end ?? '',
			view.motivation,
			body,
			view.tags.join(', '),
			author ?? '',
			view.status,
			view.createdAt,
			view.modifiedAt,
			view.parentId ?? '',
		]
	})
	// A byte-order mark, so that spreadsheet programs read the file as UTF-8.
	return '\ufeff' + stringify(rows, { header: true, columns: [...csvColumns], quoted_string: true, cast: { string: neutralizeCell } })
}

/** What a spreadsheet takes as the start of a formula (or of one it runs after a tab or line break). */
const formulaStart = /^[=+\-@\t\r]/

/**
 * A text cell as OWASP's "CSV Injection" page recommends: one that starts
 * with `=`, `+`, `-`, `@`, tab or carriage return gets a leading `'`, which
 * Excel, LibreOffice and Google Sheets take as "this is text"; the caller
 * also quotes every text cell. Only text is ever changed: the offsets are
 * JavaScript numbers and reach the file as numbers, while text a person
 * wrote stays text even when it looks like one ("-3" is prefixed too), since
 * "looks like a number" is exactly the test a crafted cell would be built to pass.
 * https://owasp.org/www-community/attacks/CSV_Injection
 */
export function neutralizeCell(value: string): string {
	return formulaStart.test(value) ? `'${value}` : value
}
