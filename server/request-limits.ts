import { Readable } from 'node:stream'
import { createRequestHandler } from '@remix-run/express'
import type express from 'express'
import { sendRefusal } from './http-errors.ts'

/**
 * The edge every request body and query string passes before Remix: bodies
 * are bounded per route (refused from their declared length before a byte
 * is read, and cut while streaming when they declare none), and text that
 * PostgreSQL cannot store or no person types (NUL and the other C0 controls
 * but tab, LF and CR; lone surrogates) is refused with one clear 400 here,
 * instead of failing somewhere deep in a route. Uploaded files' bytes are
 * the importers' to judge.
 */

export interface RequestLimitOptions {
	/** Largest body of a form or JSON request, in bytes. Default 64 KiB. */
	formBytes: number
	/**
	 * Largest body of the annotations API (POST /documents/:id/annotations): an annotation
	 * may hold 20,000 characters, up to 6 bytes each once escaped in JSON, plus its anchor.
	 * Default 256 KiB.
	 */
	annotationJsonBytes: number
	/**
	 * The import limit (MAX_IMPORT_BYTES): a file upload (document and annotation imports) may
	 * be this large plus 64 KiB of form around the file, as the import routes count it. Default 5 MiB.
	 */
	importBytes: number
}

export const defaultRequestLimits: RequestLimitOptions = {
	formBytes: 64 * 1024,
	annotationJsonBytes: 256 * 1024,
	importBytes: 5 * 1024 * 1024,
}

/** What the import routes allow around the file (other fields, multipart headers). */
const formAroundFile = 64 * 1024

/** Single fetch posts a page's action to the same path with `.data` appended. */
const documentImport = /^\/groups\/[^/]+\/import(\.data)?\/?$/
const annotationImport = /^\/documents\/[^/]+\/import-annotations(\.data)?\/?$/
const annotationApi = /^\/documents\/[^/]+\/annotations\/?$/
/** The Web Annotation Protocol's read-only routes answer any change with 405 and never read its body. */
const readOnlyRoutes = [/^\/a\/[^/]+(\/v\/[^/]+)?\.jsonld$/, /^\/read\/[^/]+\/e\/[^/]+\/annotations\/?$/, /^\/feeds\//]

/** What a route does with a body: parses it as a form, as JSON, or never reads it. */
type BodyKind = 'form' | 'json' | 'unread'

interface RouteRule {
	limit: number
	kind: BodyKind
	/** What a body over the limit is told; the import routes' own words, so either refusal reads the same. */
	tooLarge: string
}

/** Which limit and which kind of body a route takes. */
function routeRule(path: string, limits: RequestLimitOptions): RouteRule {
	const importLimit = `the limit is ${Math.round((limits.importBytes / (1024 * 1024)) * 10) / 10} MB.`
	const upload = limits.importBytes + formAroundFile
	if (documentImport.test(path)) return { limit: upload, kind: 'form', tooLarge: `That is too large to import: ${importLimit}` }
	if (annotationImport.test(path)) return { limit: upload, kind: 'form', tooLarge: `That file is too large to import: ${importLimit}` }
	const kind: BodyKind = annotationApi.test(path) ? 'json' : readOnlyRoutes.some((route) => route.test(path)) ? 'unread' : 'form'
	const limit = kind === 'json' ? limits.annotationJsonBytes : limits.formBytes
	return { limit, kind, tooLarge: `That is too large: this address accepts at most ${describeBytes(limit)}.` }
}


function mediaType(req: express.Request): string {
	return (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase()
}

/** C0 controls except tab, LF and CR; lone UTF-16 surrogates (only JSON's \u escapes can make them). */
const forbiddenCharacter = /[\u0000-\u0008\u000B\u000C\u000E-\u001F]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/

/** Why the text is refused, naming the field it is in, or null. */
function textRefusal(where: string, name: string, value: string): string | null {
	const inName = forbiddenCharacter.test(name)
	if (!inName && !forbiddenCharacter.test(value)) return null
	const field = inName || name === '' ? 'a field' : `the field “${name.slice(0, 60)}”`
	return `The ${where} contains a character that cannot be accepted (a control character such as NUL, or half of an emoji) in ${field}. Remove it and try again.`
}

function pairsRefusal(where: string, pairs: Iterable<[string, string]>): string | null {
	for (const [name, value] of pairs) {
		const refusal = textRefusal(where, name, value)
		if (refusal) return refusal
	}
	return null
}

/** Every string in a parsed JSON value, keyed by the path to it. */
function* jsonStrings(value: unknown, path = ''): Generator<[string, string]> {
	if (typeof value === 'string') yield [path, value]
	else if (Array.isArray(value)) {
		for (let i = 0; i < value.length; i++) yield* jsonStrings(value[i], `${path}[${i}]`)
	} else if (typeof value === 'object' && value !== null) {
		for (const [key, inner] of Object.entries(value)) {
			yield [path, key]
			yield* jsonStrings(inner, path ? `${path}.${key}` : key)
		}
	}
}

const bodies = new WeakMap<express.Request, Buffer>()

/**
 * The middleware: mount it before anything that reads a body. A body it
 * has read and accepted is handed to Remix by `createCheckedBodyRequestHandler`.
 */
export function requestLimits(options: Partial<RequestLimitOptions> = {}): express.RequestHandler {
	const limits = { ...defaultRequestLimits, ...options }
	return (req, res, next) => {
		// Remix builds the request's URL from the Host header; one that is no host makes it throw.
		if (!isHost(req.headers.host)) return sendRefusal(req, res, 400, 'The Host header does not name a host.')
		const queryAt = req.originalUrl.indexOf('?')
		if (queryAt !== -1) {
			const refusal = pairsRefusal('address', new URLSearchParams(req.originalUrl.slice(queryAt + 1)))
			if (refusal) return sendRefusal(req, res, 400, refusal)
		}
		const rule = routeRule(req.path, limits)
		// Nothing of the body is kept: unread, Node discards what follows as it arrives (so that a
		// browser, which sends its whole upload before it reads the answer, still shows it); cut
		// short mid-stream, the request stays paused and TCP holds the client back.
		const tooLarge = () => sendRefusal(req, res, 413, rule.tooLarge)
		const declared = req.headers['content-length']
		if (declared !== undefined && Number(declared) > rule.limit) return tooLarge()
		// GET and HEAD bodies are never read by anyone (the adapter gives Remix none), only bounded above.
		if (req.method === 'GET' || req.method === 'HEAD') return next()
		const hasBody = declared !== undefined ? Number(declared) > 0 : req.headers['transfer-encoding'] !== undefined
		if (!hasBody) {
			// An empty body is an empty form, whatever it is labelled: the route then says what is
			// missing, where Remix's formData() would throw on the label.
			if (rule.kind === 'form') req.headers['content-type'] = 'application/x-www-form-urlencoded'
			return next()
		}

		const chunks: Buffer[] = []
		let received = 0
		let done = false
		const finish = (outcome: 'read' | 'too large' | 'failed') => {
			if (done) return
			done = true
			req.off('data', onData)
			req.off('end', onEnd)
			req.off('error', onError)
			if (outcome === 'too large') {
				req.pause()
				return tooLarge()
			}
			if (outcome === 'failed') return
			const body = Buffer.concat(chunks, received)
			checkBody(req, body, rule.kind).then(
				(refusal) => {
					if (refusal) return sendRefusal(req, res, refusal.status, refusal.message)
					bodies.set(req, body)
					next()
				},
				(error: unknown) => next(error),
			)
		}
		const onData = (chunk: Buffer) => {
			received += chunk.byteLength
			if (received > rule.limit) return finish('too large')
			chunks.push(chunk)
		}
		const onEnd = () => finish('read')
		// The client went away mid-body: there is no one to answer.
		const onError = () => finish('failed')
		req.on('data', onData)
		req.on('end', onEnd)
		req.on('error', onError)
	}
}

/**
 * @remix-run/express's request handler, reading the body requestLimits
 * already took off the socket and checked. The adapter reads the body from
 * the request stream itself (on 'data', pause, resume), so it is given the
 * request with those stream members answered by a replay of the checked bytes.
 */
export function createCheckedBodyRequestHandler(...args: Parameters<typeof createRequestHandler>): express.RequestHandler {
	const handler = createRequestHandler(...args)
	return (req, res, next) => {
		const body = bodies.get(req)
		if (!body) return handler(req, res, next)
		const replay = Readable.from([body], { objectMode: false })
		const request = new Proxy(req, {
			get(target, property) {
				if (property in Readable.prototype) {
					const value: unknown = Reflect.get(replay, property, replay)
					return typeof value === 'function' ? value.bind(replay) : value
				}
				return Reflect.get(target, property, target)
			},
		})
		return handler(request, res, next)
	}
}

async function checkBody(req: express.Request, body: Buffer, kind: BodyKind): Promise<{ status: number; message: string } | null> {
	const type = mediaType(req)
	if (kind === 'unread') return null
	if (kind === 'form' && body.byteLength === 0) {
		req.headers['content-type'] = 'application/x-www-form-urlencoded'
		return null
	}
	if (kind === 'json') {
		if (type !== 'application/json') return { status: 415, message: 'Send the command as JSON (Content-Type: application/json).' }
		let json: unknown
		try {
			json = JSON.parse(body.toString('utf8'))
		} catch {
			return { status: 400, message: 'Send the command as JSON.' }
		}
		const refusal = pairsRefusal('request', jsonStrings(json))
		return refusal ? { status: 400, message: refusal } : null
	}
	if (type === 'application/x-www-form-urlencoded') {
		const refusal = pairsRefusal('form', new URLSearchParams(body.toString('utf8')))
		return refusal ? { status: 400, message: refusal } : null
	}
	if (type === 'multipart/form-data') {
		let form: FormData
		try {
			form = await new Request('http://localhost/', {
				method: 'POST',
				headers: { 'Content-Type': req.headers['content-type']! },
				body: new Blob([new Uint8Array(body)]),
			}).formData()
		} catch {
			return { status: 400, message: 'The form could not be read. Please try again.' }
		}
		// A file's name is text that may be stored (as a title); its bytes are the importer's to judge.
		const fields = [...form].map(([name, value]): [string, string] => [name, typeof value === 'string' ? value : value.name])
		const refusal = pairsRefusal('form', fields)
		return refusal ? { status: 400, message: refusal } : null
	}
	return {
		status: 415,
		message: 'Send forms as application/x-www-form-urlencoded or multipart/form-data, as a browser does.',
	}
}

function isHost(host: string | undefined): boolean {
	if (host === undefined) return true
	try {
		return new URL(`http://${host}`).host !== ''
	} catch {
		return false
	}
}

function describeBytes(bytes: number): string {
	return bytes >= 1024 * 1024 ? `${(bytes / (1024 * 1024)).toFixed(1)} MB` : `${Math.round(bytes / 1024)} KB`
}
