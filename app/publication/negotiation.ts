/**
 * Content negotiation of the published layer's permalinks: the same IRI is
 * a page for people and a Web Annotation for machines (protocol §3.2,
 * https://www.w3.org/TR/annotation-protocol/#annotation-retrieval). Pure, so
 * that server/http.ts and the routes ask the same question the same way.
 */

interface MediaRange {
	type: string
	subtype: string
	q: number
}

/** `Accept` as media ranges with their q-values (RFC 9110 §12.5.1); unparseable entries are dropped. */
export function parseAccept(header: string | null | undefined): MediaRange[] {
	if (!header) return []
	const ranges: MediaRange[] = []
	for (const entry of header.split(',')) {
		const [range, ...params] = entry.split(';')
		const match = /^\s*([\w.+*-]+)\/([\w.+*-]+)\s*$/.exec(range ?? '')
		if (!match) continue
		let q = 1
		for (const param of params) {
			const qMatch = /^\s*q\s*=\s*([01](?:\.\d{0,3})?)\s*$/i.exec(param)
			if (qMatch) q = Number(qMatch[1])
		}
		ranges.push({ type: match[1]!.toLowerCase(), subtype: match[2]!.toLowerCase(), q })
	}
	return ranges
}

function highestQ(ranges: MediaRange[], accepts: (range: MediaRange) => boolean): number {
	let q = 0
	for (const range of ranges) if (accepts(range) && range.q > q) q = range.q
	return q
}

/**
 * Whether a request wants the JSON-LD rather than the page: `?format=jsonld`,
 * or an Accept that names application/ld+json (any profile) or
 * application/json with a higher q than text/html. Wildcards never choose
 * JSON-LD (a browser's `*\/*` gets the page), but a JSON type named as
 * strongly as a wildcard wins over it (`application/json, *\/*`, as fetch
 * libraries send); a tie with text/html named outright goes to the page.
 */
export function prefersJsonLd(accept: string | null | undefined, searchParams?: URLSearchParams): boolean {
	if (searchParams?.get('format') === 'jsonld') return true
	const ranges = parseAccept(accept)
	const json = highestQ(ranges, (r) => r.type === 'application' && (r.subtype === 'ld+json' || r.subtype === 'json'))
	if (json === 0) return false
	const html = highestQ(ranges, (r) => (r.type === 'text' && r.subtype === 'html') || (r.type === 'application' && r.subtype === 'xhtml+xml'))
	const wildcard = highestQ(ranges, (r) => r.subtype === '*' && (r.type === '*' || r.type === 'text'))
	return json > html && json >= wildcard
}

/**
 * The JSON-LD resource route that answers a permalink path (`/a/:id` →
 * `/a/:id.jsonld`, `/a/:id/v/:n` → `/a/:id/v/:n.jsonld`), or null for any
 * other path. Remix answers one URL from one route, and a page route's
 * loader cannot answer with a raw Response, so server/http.ts hands such
 * requests to these resource routes.
 */
export function jsonLdPermalinkPath(pathname: string): string | null {
	return /^\/a\/[^/.]+(?:\/v\/\d+)?\/?$/.test(pathname) ? `${pathname.replace(/\/$/, '')}.jsonld` : null
}
