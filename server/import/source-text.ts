/** The text of an upload or paste, or a sentence telling the user why there is none. */
export type SourceText = { ok: true; text: string } | { ok: false; error: string }

/** Control bytes that plain text legitimately holds: tab, line feed, form feed, carriage return. */
const TEXT_CONTROL_BYTES = new Set([0x09, 0x0a, 0x0c, 0x0d])

/**
 * Above this share of other control bytes the file is data, not text. Real
 * text only carries the odd stray one (an ANSI colour escape, a DOS end-of-file
 * mark), so a tenth leaves ample room.
 */
const MAX_CONTROL_SHARE = 0.1

// `fatal` turns a malformed byte sequence into an error instead of a silent U+FFFD,
// which would "change a character" without telling anyone. Leaving `ignoreBOM`
// at its default makes the decoder strip a leading byte order mark.
const utf8 = new TextDecoder('utf-8', { fatal: true })

/**
 * Checks and decodes the bytes of a source. The checks run cheapest first, so
 * an oversized upload is refused on its length alone, before any byte is read.
 * `subject` names the source at the start of a sentence: `“essay.txt”` or
 * `The pasted text`.
 */
export function decodeSourceText(bytes: Uint8Array, subject: string, maxBytes: number): SourceText {
	if (bytes.byteLength > maxBytes) {
		return fail(`${subject} is ${megabytes(bytes.byteLength)}; Scholion imports files of up to ${megabytes(maxBytes)}.`)
	}
	if (bytes.byteLength === 0) return fail(`${subject} is empty.`)
	// A UTF-16 file is text, but its ASCII characters carry NUL bytes; say what it is
	// rather than calling it binary.
	if ((bytes[0] === 0xff && bytes[1] === 0xfe) || (bytes[0] === 0xfe && bytes[1] === 0xff)) {
		return fail(`${subject} is UTF-16 text; Scholion needs UTF-8. Save it with UTF-8 encoding and try again.`)
	}
	if (looksBinary(bytes)) {
		return fail(
			`${subject} looks like a binary file (an image, a PDF or a word-processor file), not text. ` +
				'Save or export it as plain text, Markdown or HTML first.',
		)
	}

	let text: string
	try {
		text = utf8.decode(bytes)
	} catch {
		return fail(
			`${subject} is not UTF-8 text. Save it with UTF-8 encoding (most editors offer this under “Save as”) and try again.`,
		)
	}
	if (!text.trim()) return fail(`${subject} contains only blank space; there is no text to import.`)
	// Old Mac (CR) and Windows (CRLF) line ends would otherwise read as extra blank lines.
	return { ok: true, text: text.replace(/\r\n?/g, '\n') }
}

/** NUL never occurs in text; other control bytes only rarely. */
function looksBinary(bytes: Uint8Array): boolean {
	let controls = 0
	for (let i = 0; i < bytes.length; i++) {
		const byte = bytes[i]!
		if (byte === 0) return true
		if ((byte < 0x20 && !TEXT_CONTROL_BYTES.has(byte)) || byte === 0x7f) controls++
	}
	return controls > bytes.length * MAX_CONTROL_SHARE
}

/** A size as a person reads it: "5 MB", "0.5 MB", "48 MB". */
function megabytes(bytes: number): string {
	const mb = bytes / (1024 * 1024)
	return `${mb >= 10 ? Math.round(mb) : Number(mb.toPrecision(2))} MB`
}

function fail(error: string): SourceText {
	return { ok: false, error }
}
