import { randomBytes } from 'node:crypto'
import type { IncomingMessage, ServerResponse } from 'node:http'
import type express from 'express'
import helmet from 'helmet'
import { appOriginOf } from './origin.ts'

/**
 * Security headers on every response (pages, JSON-LD, feeds, assets, errors):
 * a Content-Security-Policy that lets only this site's scripts and the
 * page's own inline scripts (by a nonce fresh for each request) run, so a
 * script that got into the markup anyway does not; no framing; no MIME
 * sniffing; no referrer to other sites; HSTS in production over https.
 *
 * helmet writes the headers (it is maintained for exactly this, and sets the
 * small ones: X-Frame-Options, Cross-Origin-Opener-Policy, …); the policy's
 * directives are Scholion's own, none of helmet's defaults.
 */

export interface SecurityHeadersOptions {
	/** Production: the strict policy everywhere, HSTS over https. Development adds what Vite's dev server needs. */
	production: boolean
	/** PUBLIC_ORIGIN, when set: the origin the browser sees (see appOriginOf). */
	publicOrigin?: string
}

/** The nonce of this response's inline scripts (Remix's), set by the middleware: pass it to every inline <script>. */
export function cspNonceOf(res: ServerResponse): string {
	const nonce = (res as express.Response).locals?.cspNonce
	if (typeof nonce !== 'string') throw new RangeError('No CSP nonce on this response: is securityHeaders() mounted before it?')
	return nonce
}

export function securityHeaders(options: SecurityHeadersOptions): express.RequestHandler[] {
	const { production, publicOrigin } = options
	const nonce = (_req: IncomingMessage, res: ServerResponse) => `'nonce-${cspNonceOf(res)}'`
	// The collaboration socket (/collab) is this host's ws:/wss:. CSP Level 3 lets 'self' cover it,
	// but Safari before 15.4 does not, so it is named.
	const ownSocket = (req: IncomingMessage) => appOriginOf(req, publicOrigin).replace(/^http/, 'ws')
	const https = (req: IncomingMessage) => appOriginOf(req, publicOrigin).startsWith('https:')

	const headers = helmet({
		contentSecurityPolicy: {
			useDefaults: false,
			directives: {
				'default-src': ["'self'"],
				// Remix's inline scripts (context, route modules, scroll restoration, streamed data) carry
				// the nonce; its modules are files on this site. No 'unsafe-inline', no 'strict-dynamic'.
				'script-src': ["'self'", nonce],
				// No inline event handlers anywhere (React attaches its own by addEventListener).
				'script-src-attr': ["'none'"],
				'style-src': production ? ["'self'"] : ["'self'", "'unsafe-inline'"],
				// Style attributes only (React's style={…}: colour swatches and bars; y-prosemirror's
				// caret colours, which it sets with setAttribute('style')). An attribute holds
				// declarations, no selectors or imports, so it cannot read the page; <style> elements
				// and stylesheets from elsewhere stay refused by style-src.
				'style-src-attr': ["'unsafe-inline'"],
				'img-src': ["'self'", 'data:'],
				'font-src': ["'self'"],
				// Development: Vite's HMR socket listens on its own port (24678 by default).
				'connect-src': production ? ["'self'", ownSocket] : ["'self'", 'ws:', 'wss:'],
				'object-src': ["'none'"],
				'base-uri': ["'self'"],
				'form-action': ["'self'"],
				'frame-ancestors': ["'none'"],
				'frame-src': ["'none'"],
				'worker-src': ["'self'"],
				'manifest-src': ["'self'"],
			},
		},
		// frame-ancestors 'none', for browsers that only know the older header.
		xFrameOptions: { action: 'deny' },
		// Nothing, not even the origin, goes to another site: a private group's document URL is
		// nobody else's business. Same-origin requests keep their Referer (the CSRF check's fallback).
		referrerPolicy: { policy: 'same-origin' },
		// Decided per request below.
		strictTransportSecurity: false,
	})
	// A year, for this host only (other subdomains are not this app's to decide), and only
	// where it is true: the production app reached over https.
	const hsts = helmet.strictTransportSecurity({ maxAge: 365 * 24 * 60 * 60, includeSubDomains: false })

	return [
		(_req, res, next) => {
			res.locals.cspNonce = randomBytes(18).toString('base64')
			next()
		},
		headers,
		(req, res, next) => {
			if (production && https(req)) hsts(req, res, next)
			else next()
		},
	]
}
