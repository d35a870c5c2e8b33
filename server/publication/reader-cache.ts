import type express from 'express'
import type { Database } from '#db/client.ts'
import { documentPublicationFingerprint } from '#db/queries/publication.ts'
import { isUuid } from '#db/ids.ts'

/**
 * Whole edition pages for visitors without a session, kept and served again
 * while nothing they show has changed. The public reader is the page most
 * people see and it is the same for every anonymous visitor; a long edition
 * (30,000 words, 2,000 notes) is megabytes of HTML, and even rendered from
 * a cache of its markup (app/utils/reader.server.ts) it went through Remix
 * on every request. Validity is the document's publication fingerprint, one
 * query, so a publication, retraction or new edition is seen at once, by
 * every process. Signed-in visitors get their own header: never cached.
 * Only pages of public documents are kept or served: the fingerprint starts
 * with the document's audience, so narrowing it is seen on the next request.
 */

const readerPath = /^\/read\/([0-9a-f-]{36})(?:\/e\/([1-9][0-9]{0,8}))?\/?$/i
/** Pages kept, most recently used; each is the size of its HTML. */
const pagesKept = 20
/** Headers a stored page is sent with again; the rest belong to the response they came in. */
const keptHeaders = ['content-type', 'link', 'vary', 'cache-control', 'content-language']

interface StoredPage {
	fingerprint: string
	headers: [string, string][]
	body: Buffer
}

export function readerPageCache(db: Database, sessionCookieName: string): express.RequestHandler {
	const pages = new Map<string, StoredPage>()
	return async (req, res, next) => {
		try {
			const match = readerPath.exec(req.path)
			const anonymous = !(req.headers.cookie ?? '').includes(`${sessionCookieName}=`)
			if (!match || !anonymous || (req.method !== 'GET' && req.method !== 'HEAD') || req.originalUrl.includes('?')) return next()
			const documentId = match[1]!
			if (!isUuid(documentId)) return next()
			const key = `${req.protocol}://${req.get('host') ?? ''}${req.path}`
			const fingerprint = await documentPublicationFingerprint(db, documentId)
			const stored = pages.get(key)
			if (!fingerprint.startsWith('public/')) {
				// Remix answers (a 404 for anonymous visitors); a page kept from when it was public goes.
				if (stored) pages.delete(key)
				return next()
			}
			if (stored && stored.fingerprint === fingerprint) {
				pages.delete(key)
				pages.set(key, stored)
				for (const [name, value] of stored.headers) res.setHeader(name, value)
				res.setHeader('X-Scholion-Cache', 'hit')
				res.status(200).end(req.method === 'HEAD' ? undefined : stored.body)
				return
			}
			if (req.method === 'HEAD') return next()
			capture(res, (body) => {
				// A page that says it is for one viewer only is never kept, whatever the fingerprint said a moment ago.
				if (res.statusCode !== 200 || /private|no-store/.test(String(res.getHeader('cache-control') ?? ''))) return
				const headers = keptHeaders.flatMap((name): [string, string][] => {
					const value = res.getHeader(name)
					return value === undefined ? [] : [[name, Array.isArray(value) ? value.join(', ') : String(value)]]
				})
				pages.set(key, { fingerprint, headers, body })
				if (pages.size > pagesKept) {
					const [oldest] = pages.keys()
					if (oldest) pages.delete(oldest)
				}
			})
			next()
		} catch (error) {
			next(error)
		}
	}
}

/** Collects what is written to the response, passing it through unchanged, and hands the whole body over at the end. */
function capture(res: express.Response, done: (body: Buffer) => void) {
	const chunks: Buffer[] = []
	const write = res.write.bind(res) as (...args: unknown[]) => boolean
	const end = res.end.bind(res) as (...args: unknown[]) => express.Response
	const keep = (chunk: unknown, encoding: unknown) => {
		if (typeof chunk === 'string') chunks.push(Buffer.from(chunk, typeof encoding === 'string' ? (encoding as BufferEncoding) : 'utf8'))
		else if (chunk instanceof Uint8Array) chunks.push(Buffer.from(chunk))
	}
	res.write = ((chunk: unknown, ...rest: unknown[]) => {
		keep(chunk, rest[0])
		return write(chunk, ...rest)
	}) as typeof res.write
	res.end = ((chunk?: unknown, ...rest: unknown[]) => {
		if (chunk !== undefined && typeof chunk !== 'function') keep(chunk, rest[0])
		done(Buffer.concat(chunks))
		return end(chunk, ...rest)
	}) as typeof res.end
}
