import http from 'node:http'
import { and, count, eq, isNull } from 'drizzle-orm'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { createTestDatabase } from '#tests/support/database.ts'
import {
	annotationImports,
	annotations,
	annotationVersions,
	documents,
	groups,
	invites,
	loginAttempts,
	memberships,
	annotationReports,
	sessions,
	users,
} from '#db/schema/index.ts'
import { demoDocuments, demoGroups, seedDemo } from '#seeds/demo.ts'
import { demoEmails, logIn, recordConsoleErrors, startCollabApp, type CollabApp } from '#tests/support/collab-harness.ts'
import { FormClient } from '#tests/support/http-client.ts'

// Issue 12, attacks 6 and 9: a body is bounded on every route and refused
// before it is read, and text with NUL or another control character is
// refused with a clear 400 before any route sees it, never a 500, nothing stored.

const seminarGroupId = demoGroups.seminar.id
const seminarDocumentId = demoDocuments[0].id
const serverErrors = recordConsoleErrors()

let app: CollabApp
let owner: FormClient
let publishedAnnotationId: string
/** A shared annotation of the seminar that its owner may reply to. */
let threadId: string

beforeAll(async () => {
	const database = await createTestDatabase()
	await seedDemo(database.db, { published: true })
	app = await startCollabApp({ database })
	owner = await logIn(app.url, demoEmails.owner)
	const [version] = await app.database.db.select({ id: annotationVersions.annotationId }).from(annotationVersions).limit(1)
	publishedAnnotationId = version!.id
	const [thread] = await app.database.db
		.select({ id: annotations.id })
		.from(annotations)
		.where(and(eq(annotations.groupId, seminarGroupId), isNull(annotations.parentId), eq(annotations.status, 'published')))
		.limit(1)
	threadId = thread!.id
})
afterEach(() => {
	expect(serverErrors.take(), 'errors the server logged').toEqual([])
})
afterAll(async () => {
	await app?.close()
	await app?.database.close()
})

/** Every table a form on the site can write to. */
async function storedCounts(): Promise<Record<string, number>> {
	const tables = { users, sessions, loginAttempts, groups, memberships, invites, documents, annotations, annotationReports, annotationImports }
	const counts: Record<string, number> = {}
	for (const [name, table] of Object.entries(tables)) {
		const [row] = await app.database.db.select({ n: count() }).from(table)
		counts[name] = row!.n
	}
	return counts
}

const nul = 'a\u0000b'

interface Probe {
	what: string
	/** Sent without a session (the pages anyone may post to). */
	anonymous?: boolean
	path: () => string
	form?: () => Record<string, string>
	multipart?: () => FormData
	json?: () => unknown
}

// Each POST route of the site with NUL in a field it reads (and a few query strings), as a browser
// or the editor's fetch would send it. Without the check, 9 of these answered 500 (see the report).
const probes: Probe[] = [
	{ what: 'log-in email', anonymous: true, path: () => '/login', form: () => ({ email: nul, password: 'x' }) },
	{ what: 'log-in password', anonymous: true, path: () => '/login', form: () => ({ email: demoEmails.owner, password: nul }) },
	{ what: 'sign-up name', anonymous: true, path: () => '/signup', form: () => ({ email: 'nul@example.org', name: nul, password: 'long enough secret' }) },
	{ what: 'sign-up email', anonymous: true, path: () => '/signup', form: () => ({ email: `nul${nul}@example.org`, name: 'N', password: 'long enough secret' }) },
	{ what: 'a reader’s report', anonymous: true, path: () => `/a/${publishedAnnotationId}`, form: () => ({ reason: `spam ${nul}` }) },
	{ what: 'public search words', anonymous: true, path: () => `/read/search?q=${encodeURIComponent(nul)}` },
	{ what: 'log-in redirect', anonymous: true, path: () => `/login?redirectTo=${encodeURIComponent('/\u0000')}` },
	{ what: 'new group name', path: () => '/groups/new', form: () => ({ name: nul, kind: 'seminar', description: '' }) },
	{ what: 'new group description', path: () => '/groups/new', form: () => ({ name: 'Fine', kind: 'seminar', description: nul }) },
	{ what: 'join or leave intent', path: () => `/groups/${seminarGroupId}`, form: () => ({ intent: nul }) },
	{ what: 'invite role', path: () => `/groups/${seminarGroupId}/members`, form: () => ({ intent: 'invite', role: nul, days: '7' }) },
	{ what: 'member to remove', path: () => `/groups/${seminarGroupId}/members`, form: () => ({ intent: 'remove', userId: nul }) },
	{ what: 'moderation reason', path: () => `/groups/${seminarGroupId}/moderation`, form: () => ({ intent: 'bulk', bulk: 'approve', reason: nul }) },
	{ what: 'moderation policy', path: () => `/groups/${seminarGroupId}/moderation`, form: () => ({ intent: 'policy', approvalQuorum: `1${nul}` }) },
	{ what: 'moderation filter', path: () => `/groups/${seminarGroupId}/moderation?status=${encodeURIComponent(nul)}` },
	{ what: 'workspace search words', path: () => `/search?q=${encodeURIComponent(nul)}` },
	{ what: 'mention autocomplete', path: () => `/documents/${seminarDocumentId}/members?q=${encodeURIComponent(nul)}` },
	{ what: 'notification settings', path: () => '/settings/notifications', form: () => ({ [`reply${nul}`]: 'on' }) },
	{ what: 'inbox', path: () => '/inbox', form: () => ({ intent: 'read', id: nul }) },
	{ what: 'export format', path: () => `/documents/${seminarDocumentId}/export`, form: () => ({ format: nul }) },
	{
		what: 'pasted import title',
		path: () => `/groups/${seminarGroupId}/import`,
		multipart: () => {
			const form = new FormData()
			form.set('title', nul)
			form.set('paste', 'Some text.')
			form.set('format', 'txt')
			return form
		},
	},
	{
		what: 'pasted import text',
		path: () => `/groups/${seminarGroupId}/import`,
		multipart: () => {
			const form = new FormData()
			form.set('title', 'Fine')
			form.set('paste', nul)
			form.set('format', 'txt')
			return form
		},
	},
	{
		what: 'annotation reply body (JSON)',
		path: () => `/documents/${seminarDocumentId}/annotations`,
		json: () => ({ intent: 'reply', parentId: threadId, body: nul }),
	},
	{
		what: 'annotation edit tags (JSON)',
		path: () => `/documents/${seminarDocumentId}/annotations`,
		json: () => ({ intent: 'edit', id: threadId, tags: [nul] }),
	},
	{
		what: 'a lone surrogate in JSON',
		path: () => `/documents/${seminarDocumentId}/annotations`,
		json: () => ({ intent: 'reply', parentId: threadId, body: 'half an emoji: \ud83d' }),
	},
]

function send(probe: Probe): Promise<Response> {
	const client = probe.anonymous ? new FormClient(app.url) : owner
	const path = probe.path()
	if (probe.form) return client.post(path, probe.form())
	if (probe.multipart) return client.postMultipart(path, probe.multipart())
	if (probe.json) {
		return client.request(path, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: app.origin },
			body: JSON.stringify(probe.json()),
		})
	}
	return client.get(path)
}

describe('NUL and other control characters (attack 9)', () => {
	test.each(probes)('in the $what: 400 with a message saying why, nothing stored', async (probe) => {
		const before = await storedCounts()
		const response = await send(probe)
		expect(response.status).toBe(400)
		const text = await response.text()
		expect(text).toMatch(/character that cannot be accepted/)
		if (probe.json) expect(JSON.parse(text).error).toMatch(/character that cannot be accepted/)
		expect(await storedCounts()).toEqual(before)
	})

	test('tabs, line breaks and emoji are text like any other', async () => {
		const response = await owner.post('/groups/new', { name: 'Tabs\tand 😀', kind: 'seminar', description: 'Line one\r\nline two' })
		expect(response.status).toBe(302)
	})

	test('a file’s bytes are the importer’s to judge, not refused here', async () => {
		const form = new FormData()
		form.set('title', 'Binary')
		form.set('file', new Blob([new Uint8Array([0x48, 0x00, 0x69])], { type: 'text/plain' }), 'binary.txt')
		const response = await owner.postMultipart(`/groups/${seminarGroupId}/import`, form)
		expect(await response.text()).not.toMatch(/character that cannot be accepted/)
		expect(response.status).toBeLessThan(500)
	})

	test('a body a form route cannot read is refused with 415, an empty one is an empty form', async () => {
		const before = await storedCounts()
		const plain = await new FormClient(app.url).request('/login', { method: 'POST', headers: { Origin: app.origin, 'Content-Type': 'text/plain' }, body: 'email=x' })
		expect(plain.status).toBe(415)
		const empty = await new FormClient(app.url).request('/login', { method: 'POST', headers: { Origin: app.origin, 'Content-Type': 'text/plain' }, body: '' })
		expect(empty.status).toBe(400)
		expect(await empty.text()).toMatch(/email/i)
		expect(await storedCounts()).toEqual(before)
	})
})

/** A POST to `path` on the server at `baseUrl`, streaming `total` bytes of form in 64 KiB writes; resolves with the status and how much was written by then. */
function streamBody(baseUrl: string, path: string, total: number, declare: boolean): Promise<{ status: number; written: number; body: string }> {
	const url = new URL(baseUrl)
	const headers: Record<string, string | number> = { Origin: url.origin, 'Content-Type': 'application/x-www-form-urlencoded' }
	if (declare) headers['Content-Length'] = total
	return new Promise((resolve, reject) => {
		const request = http.request({ host: url.hostname, port: url.port, path, method: 'POST', headers })
		const chunk = Buffer.alloc(64 * 1024, 'a')
		let written = 0
		let answered = false
		const pump = () => {
			while (!answered && written < total) {
				written += chunk.byteLength
				if (!request.write(chunk)) return void request.once('drain', pump)
			}
			if (!answered) request.end()
		}
		request.on('response', (response) => {
			answered = true
			let body = ''
			response.on('data', (data: Buffer) => (body += data.toString()))
			response.on('end', () => resolve({ status: response.statusCode ?? 0, written, body }))
			response.on('error', () => resolve({ status: response.statusCode ?? 0, written, body }))
		})
		// Writing on after the answer may hit a closed socket; the answer is what counts.
		request.on('error', (error) => (answered ? undefined : reject(error)))
		request.write('email=')
		pump()
	})
}

/**
 * The server runs in this process, so its growth is this process's: the client side of these
 * tests writes one reused 64 KiB buffer, so what grows is what the server kept. Before the limit
 * a 200 MB log-in grew it by about 600 MB.
 */
function residentBytes(): number {
	return process.memoryUsage.rss()
}

describe('request bodies are bounded (attack 6)', () => {
	const bodyBytes = 200 * 1024 * 1024

	test('a 200 MB log-in that declares its length is answered 413 after its first bytes, and the server does not grow', async () => {
		const before = residentBytes()
		const { status, written, body } = await streamBody(app.url, '/login', bodyBytes, true)
		expect(status).toBe(413)
		expect(body).toMatch(/too large: this address accepts at most 64 KB/)
		// Answered long before the client had sent the body: it was refused before it was read.
		expect(written).toBeLessThan(bodyBytes / 4)
		const grown = residentBytes() - before
		console.log(`[request-limits] declared 200 MB: ${(written / 1e6).toFixed(1)} MB written before the 413, server RSS +${(grown / 1e6).toFixed(1)} MB`)
		expect(grown).toBeLessThan(32 * 1024 * 1024)
		expect((await fetch(`${app.url}/healthz`)).status).toBe(200)
	})

	test('a 200 MB chunked log-in (no length) is cut at the limit with 413, and the server does not grow', async () => {
		const before = residentBytes()
		const { status, written } = await streamBody(app.url, '/login', bodyBytes, false)
		expect(status).toBe(413)
		expect(written).toBeLessThan(bodyBytes / 4)
		const grown = residentBytes() - before
		console.log(`[request-limits] chunked 200 MB: ${(written / 1e6).toFixed(1)} MB written before the 413, server RSS +${(grown / 1e6).toFixed(1)} MB`)
		expect(grown).toBeLessThan(32 * 1024 * 1024)
		expect((await fetch(`${app.url}/healthz`)).status).toBe(200)
	})

	test('every route has a limit: forms 64 KB, the annotations API 256 KB, imports the import limit', async () => {
		const justOver = (bytes: number) => 'x'.repeat(bytes + 1)
		const form = await owner.post('/groups/new', { name: 'Big', kind: 'seminar', description: justOver(64 * 1024) })
		expect(form.status).toBe(413)
		const unknown = await owner.post('/no/such/page', { junk: justOver(64 * 1024) })
		expect(unknown.status).toBe(413)
		// A 20,000-character annotation in a script of 3-byte characters still fits the API.
		const wide = await owner.request(`/documents/${seminarDocumentId}/annotations`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: app.origin },
			body: JSON.stringify({ intent: 'reply', parentId: threadId, body: '語'.repeat(20_000) }),
		})
		expect(wide.status).not.toBe(413)
		const tooWide = await owner.request(`/documents/${seminarDocumentId}/annotations`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Accept: 'application/json', Origin: app.origin },
			body: JSON.stringify({ intent: 'reply', parentId: publishedAnnotationId, body: justOver(256 * 1024) }),
		})
		expect(tooWide.status).toBe(413)
		expect((await tooWide.json()).error).toMatch(/too large/)
		// An import may be as large as the import limit (5 MB by default): 1 MB goes through to the importer.
		const upload = new FormData()
		upload.set('title', 'A long text')
		upload.set('file', new Blob([`${'A sentence of the long text. '.repeat(350)}\n\n`.repeat(100)], { type: 'text/plain' }), 'long.txt')
		const imported = await owner.postMultipart(`/groups/${seminarGroupId}/import`, upload)
		expect(imported.status).toBe(302)
	})
})
