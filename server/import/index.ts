import type { Node as ProseMirrorNode } from 'prosemirror-model'
import { countWords, documentPlainText } from '#app/editor/plain-text.ts'
import { htmlToDocument } from './html.ts'
import {
	defaultImportLimits,
	ImportLimitError,
	limitMessage,
	type ImportLimitKind,
	type ParseLimits,
} from './limits.ts'
import { markdownToDocument } from './markdown.ts'
import { plainTextToDocument } from './reflow.ts'
import { decodeSourceText } from './source-text.ts'

/** The kinds of source Scholion imports: plain text, Markdown and HTML. */
export type SourceFormat = 'txt' | 'md' | 'html'

/** An upload (bytes and file name) or a paste (bytes and an explicit format). */
export interface ImportInput {
	bytes: Uint8Array
	/** The uploaded file's name; decides the format when `format` is absent, and names the file in errors. */
	filename?: string | null
	/** Wins over the file name's extension; a paste has only this. */
	format?: SourceFormat | null
}

/** A document ready to become an edition's first version, or a sentence telling the user why not. */
export type ImportResult =
	| {
			ok: true
			doc: ProseMirrorNode
			format: SourceFormat
			/** The first heading's text, else an HTML page's <title>, else null (the caller falls back to the file name). */
			title: string | null
			wordCount: number
	  }
	| ImportRefusal

/** Why a source was not imported, as a sentence for the user; `limit` names the limit it went over, if one. */
export interface ImportRefusal {
	ok: false
	error: string
	limit?: ImportLimitKind
}

/** The default upper limit of a source's size in bytes (5 MB). */
export const MAX_IMPORT_BYTES = 5 * 1024 * 1024

export interface ImportOptions {
	/** Larger sources are refused before they are read. Default {@link MAX_IMPORT_BYTES}. */
	maxBytes?: number
	/** Default {@link defaultImportLimits}; time and memory are enforced by the worker that calls this, not here. */
	limits?: ParseLimits
}

const EXTENSIONS: Record<string, SourceFormat> = {
	txt: 'txt',
	text: 'txt',
	md: 'md',
	markdown: 'md',
	html: 'html',
	htm: 'html',
}

/** The format a file name's extension stands for, case-insensitively; null when Scholion does not import it. */
export function formatFromFilename(name: string): SourceFormat | null {
	const extension = /\.([^./\\]+)$/.exec(name)?.[1]?.toLowerCase()
	return (extension && EXTENSIONS[extension]) || null
}

/**
 * Turns an uploaded or pasted source into a document in the shared schema.
 * Every visible character of the source is kept; what cannot be imported (too
 * large, binary, not UTF-8, empty, an unsupported format) is refused with a
 * sentence for the user rather than thrown, and so is a source that goes over
 * one of the limits, the moment the parser reaches it.
 */
export function importDocument(input: ImportInput, options: ImportOptions = {}): ImportResult {
	const maxBytes = options.maxBytes ?? MAX_IMPORT_BYTES
	const filename = input.filename || null
	const subject = filename ? `“${filename}”` : 'The pasted text'

	const format = input.format ?? (filename ? formatFromFilename(filename) : null)
	if (!format) {
		return {
			ok: false,
			error: filename
				? `Scholion imports .txt, .md and .html files; “${filename}” is none of these.`
				: 'Say whether the text is plain text, Markdown or HTML.',
		}
	}

	const source = decodeSourceText(input.bytes, subject, maxBytes)
	if (!source.ok) return source

	const limits = options.limits ?? defaultImportLimits
	let doc: ProseMirrorNode
	let pageTitle: string | null = null
	try {
		if (format === 'txt') doc = plainTextToDocument(source.text, limits)
		else if (format === 'md') doc = markdownToDocument(source.text, limits)
		else ({ doc, title: pageTitle } = htmlToDocument(source.text, limits))
	} catch (error) {
		if (!(error instanceof ImportLimitError)) throw error
		return { ok: false, error: limitMessage(subject, error.kind, error.limit), limit: error.kind }
	}

	const text = documentPlainText(doc)
	// Markup can hold nothing but images, scripts or empty tags.
	if (!text.trim()) return { ok: false, error: `${subject} has no text to import.` }

	return { ok: true, doc, format, title: firstHeadingText(doc) ?? pageTitle, wordCount: countWords(text) }
}

function firstHeadingText(doc: ProseMirrorNode): string | null {
	let title: string | null = null
	doc.descendants((node) => {
		if (title !== null) return false
		if (node.type.name !== 'heading') return true
		// textBetween turns a hard break into a space, where textContent would glue the words.
		const text = node.textBetween(0, node.content.size, ' ', ' ').replace(/\s+/gu, ' ').trim()
		if (text) title = text
		return false
	})
	return title
}
