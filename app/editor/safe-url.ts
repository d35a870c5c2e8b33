/**
 * The one rule for a URL a user wrote that Scholion renders as a link
 * (document links, annotation bodies, imports): `http:`, `https:` and `mailto:`
 * anywhere, and paths on this site. Everything else — `javascript:`, `data:`,
 * `vbscript:`, an unknown scheme, and protocol-relative `//host` URLs, which
 * browsers send to another site — is not a link.
 *
 * Browsers drop ASCII tabs and newlines anywhere in a URL and trim C0 controls
 * and spaces at its ends before reading the scheme (WHATWG URL, "basic URL
 * parser"), so `java\tscript:` is `javascript:` to them; the check reads the URL
 * the same way.
 */

const allowedSchemes = new Set(['http:', 'https:', 'mailto:'])

// Tabs and newlines are removed wherever they are; C0 controls and spaces only at the ends.
// eslint-disable-next-line no-control-regex
const removedAnywhere = /[\t\n\r]/g
// eslint-disable-next-line no-control-regex
const trimmedAtEnds = /^[\u0000-\u0020]+|[\u0000-\u0020]+$/g

/** Longest URL kept; a longer one is refused rather than truncated. */
export const maxUrlLength = 2048

/**
 * The URL to put in an `href`, or null when it must not be a link. Relative
 * paths (`/a/1`, `notes.html`, `#section`, `?page=2`) are kept as written; a
 * backslash, which browsers read as a slash in http URLs, counts as one.
 */
export function safeHref(raw: unknown): string | null {
	if (typeof raw !== 'string') return null
	const href = raw.replace(removedAnywhere, '').replace(trimmedAtEnds, '')
	if (href === '' || href.length > maxUrlLength) return null
	// eslint-disable-next-line no-control-regex
	if (/[\u0000-\u001f\u007f]/.test(href)) return null
	const schemeMatch = /^([a-zA-Z][a-zA-Z0-9+.-]*):/.exec(href)
	if (schemeMatch) {
		const scheme = `${schemeMatch[1]!.toLowerCase()}:`
		if (!allowedSchemes.has(scheme)) return null
		if (scheme === 'mailto:') return href
		let url: URL
		try {
			url = new URL(href)
		} catch {
			return null
		}
		return url.hostname === '' ? null : href
	}
	// No scheme: a path on this site, unless it names another host ("//host", "\\host", "/\host").
	if (/^[/\\]{2}/.test(href)) return null
	return href
}

/** Whether `raw` may be rendered as a link (see safeHref). */
export function isSafeHref(raw: unknown): boolean {
	return safeHref(raw) !== null
}
