import type http from 'node:http'
import type { Duplex } from 'node:stream'
import type express from 'express'

/**
 * How the HTTP server answers what it refuses or fails on, outside Remix:
 * JSON `{ error }` to a client that speaks JSON (the annotations API, as
 * app/annotations/client.ts reads it), else a small page a person can read.
 */
export function sendRefusal(req: express.Request, res: express.Response, status: number, message: string) {
	if (res.headersSent) {
		// Half a response is out: the only honest end is to cut the connection.
		res.destroy()
		return
	}
	res.status(status)
	if (wantsJson(req)) {
		res.json({ error: message })
		return
	}
	const title = status >= 500 ? 'Something went wrong' : 'That request could not be accepted'
	res
		.type('html')
		.send(
			`<!doctype html><html lang="en"><meta charset="utf-8"><title>${title} · Scholion</title>` +
				`<h1>${title}</h1><p>${escapeHtml(message)}</p><p><a href="/">Back to Scholion</a></p></html>\n`,
		)
}

function wantsJson(req: express.Request): boolean {
	const type = req.headers['content-type'] ?? ''
	const accept = req.headers.accept ?? ''
	return /\bjson\b/i.test(type) || (/\bjson\b/i.test(accept) && !/text\/html/i.test(accept))
}

function escapeHtml(text: string): string {
	return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`)
}

/**
 * The last Express error handler: an exception or rejection in any request
 * (Remix's adapter passes its own to `next`) answers that one request and is
 * logged once here, with the request it came from. Errors that carry a 4xx
 * status (express.static's malformed paths) are the client's and are not logged.
 */
export function answerFailedRequest(): express.ErrorRequestHandler {
	return (error: unknown, req, res, _next) => {
		const status = statusOf(error)
		if (status !== null && status >= 400 && status < 500) {
			sendRefusal(req, res, status, status === 404 ? 'Not found.' : 'The request could not be read.')
			return
		}
		console.error(`[http] ${req.method} ${req.originalUrl.slice(0, 200)} failed:`, error)
		sendRefusal(req, res, 500, 'The server failed to answer this request. It has been logged; please try again.')
	}
}

function statusOf(error: unknown): number | null {
	if (typeof error !== 'object' || error === null) return null
	const { status, statusCode } = error as { status?: unknown; statusCode?: unknown }
	const value = typeof status === 'number' ? status : statusCode
	return typeof value === 'number' && Number.isInteger(value) ? value : null
}

/**
 * A request Node's parser could not read (bad request line, headers too
 * large, a reset mid-request): answered 400 (431 for oversized headers) when
 * nothing of a response has gone out yet, then the socket is closed, as
 * Node's default handler does. Not logged: it is the client's fault, and
 * logging it would let anyone fill the log.
 */
export function answerClientError(error: Error & { code?: string }, socket: Duplex) {
	const responding = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } })._httpMessage?.headersSent
	if (error.code !== 'ECONNRESET' && socket.writable && !responding) {
		const status = error.code === 'HPE_HEADER_OVERFLOW' ? '431 Request Header Fields Too Large' : '400 Bad Request'
		socket.write(`HTTP/1.1 ${status}\r\nConnection: close\r\nContent-Length: 0\r\n\r\n`)
	}
	socket.destroy()
}

/** Answers requests Node's parser refuses; see answerClientError. */
export function guardClientErrors(server: http.Server) {
	server.on('clientError', answerClientError)
}
