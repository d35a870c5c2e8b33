import type { IncomingMessage } from 'node:http'

/** Methods that change state and so must come from the app's own pages. */
const safeMethods = new Set(['GET', 'HEAD', 'OPTIONS'])

/** The origin the request was addressed to: the configured public origin, else scheme + Host. */
export function appOriginOf(req: IncomingMessage, publicOrigin: string | undefined): string {
	if (publicOrigin) return publicOrigin
	const encrypted = 'encrypted' in req.socket && Boolean(req.socket.encrypted)
	return `${encrypted ? 'https' : 'http'}://${req.headers.host ?? 'localhost'}`
}

/**
 * The origin a browser says a request came from. Browsers send Origin on
 * every cross-origin request and on same-origin POSTs; Referer is the
 * fallback for the rare client that strips Origin.
 */
export function requestOrigin(req: IncomingMessage): string | null {
	const origin = req.headers.origin
	if (origin && origin !== 'null') return origin
	const referer = req.headers.referer
	if (!referer) return null
	try {
		return new URL(referer).origin
	} catch {
		return null
	}
}

/**
 * CSRF defence for every state-changing request and every WebSocket upgrade:
 * the request must say it comes from the app's own origin. Returns a reason
 * when it must be refused, or null when it may go on.
 */
export function crossOriginRefusal(req: IncomingMessage, appOrigin: string, upgrade = false): string | null {
	if (!upgrade && safeMethods.has(req.method ?? 'GET')) return null
	const origin = requestOrigin(req)
	if (origin === null) return 'The request did not say which site it came from (no Origin header).'
	if (origin !== appOrigin) return `Requests from ${origin} may not change anything on ${appOrigin}.`
	return null
}
