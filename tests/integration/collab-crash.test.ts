import * as Y from 'yjs'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { documentFragmentName } from '#app/editor/yjs.ts'
import {
	blockTexts,
	demoEmails,
	documentJson,
	eventually,
	logIn,
	mulberry32,
	scholionClient,
	seminarDocumentId,
	sleep,
	storedDocument,
	typeInto,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'
import { createProcessDatabase, freePort, startServerProcess, type ProcessDatabase, type ServerProcess } from '#tests/support/server-process.ts'

// The server process is killed with SIGKILL (no shutdown, no last write)
// while three people type, three times, at moments drawn from a fixed
// seed. Their editors stay open and reconnect when it is back. Whatever the
// server had called saved must be on disk at the moment of the kill, and
// nothing any of them typed may be missing from the database afterwards.

const seed = 0xc8a54
const rounds = 3
/** Blocks the three share; each keystroke lands at the start or end of one, so markers never split each other. */
const sharedBlocks = [1, 2, 3]

let database: ProcessDatabase
let port: number
let server: ServerProcess | null = null
let clients: ScholionClient[] = []

beforeAll(async () => {
	database = await createProcessDatabase()
	port = await freePort()
	server = await startServerProcess({ port, database })
}, 90_000)
afterAll(async () => {
	for (const client of clients) client.destroy()
	await server?.kill()
	await database?.remove()
})

describe(`kill -9 while three people type (${rounds} times, seed ${seed.toString(16)})`, () => {
	test('every edit any client made is stored once all are back', async () => {
		const random = mulberry32(seed)
		const url = server!.url
		const cookies = await Promise.all(
			[demoEmails.owner, demoEmails.moderator, demoEmails.reviewer].map(async (email) => (await logIn(url, email)).cookieHeader),
		)
		clients = cookies.map((cookie) => scholionClient(url, seminarDocumentId, { cookie }))
		// The stock back-off waits up to 2.5 s between attempts; an editor may ask for less, and the test's time is bounded.
		for (const client of clients) client.provider.maxBackoffTime = 300
		await eventually(() => clients.every((c) => c.isSynced()), 'the three clients to sync', 10_000)

		// Each client types a unique marker every ~15 ms, whether or not the server is up.
		const typed: string[][] = clients.map(() => [])
		let typing = true
		const typists = clients.map(async (client, c) => {
			const fragment = client.doc.getXmlFragment(documentFragmentName)
			for (let n = 0; typing; n++) {
				const marker = `[c${c}.${n}]`
				const block = (fragment.get(sharedBlocks[n % sharedBlocks.length]!) as Y.XmlElement).get(0) as Y.XmlText
				client.doc.transact(() => block.insert((n + c) % 2 === 0 ? 0 : block.length, marker), 'typing')
				typed[c]!.push(marker)
				await sleep(15)
			}
		})

		try {
			for (let round = 0; round < rounds; round++) {
				await sleep(300 + Math.floor(random() * 1200))
				await server!.kill()
				const promised = clients.map((c) => c.saved)
				expect(promised.every((saved) => saved !== null)).toBe(true)
				// "Saved" is a promise about the disk: check it before the server recovers anything.
				const onDisk = await database.openAsIs()
				try {
					const stored = Y.decodeStateVector(Y.encodeStateVector(await storedDocument(onDisk.db, seminarDocumentId)))
					for (const [c, saved] of promised.entries()) {
						const broken = [...saved!].filter(([client, clock]) => (stored.get(client) ?? 0) < clock)
						expect(broken, `what client ${c} was told was saved before kill ${round + 1}`).toEqual([])
					}
				} finally {
					await onDisk.close()
				}
				// Typing goes on while the server is down and while it starts again.
				await sleep(Math.floor(random() * 300))
				server = await startServerProcess({ port, database, timeoutMs: 60_000 })
				await eventually(() => clients.every((c) => c.isSynced()), `the clients to reconnect after kill ${round + 1}`, 15_000)
			}
		} finally {
			typing = false
			await Promise.all(typists)
		}
		expect(typed.every((markers) => markers.length > 50)).toBe(true)

		await eventually(() => clients.every((c) => c.isSynced() && c.isSaved()), 'every edit to be acknowledged as stored', 20_000)
		const expected = documentJson(clients[0]!.doc)
		await eventually(() => clients.every((c) => JSON.stringify(documentJson(c.doc)) === JSON.stringify(expected)), 'the clients to converge')

		expect(await server!.stop()).toBe(0)
		server = null
		const stored = await database.open()
		try {
			const document = await storedDocument(stored.db, seminarDocumentId)
			const text = blockTexts(document).join('\n')
			const missing = typed.flat().filter((marker) => !text.includes(marker))
			expect(missing, `edits missing from the database (of ${typed.flat().length})`).toEqual([])
			for (const marker of typed.flat()) expect(text.split(marker)).toHaveLength(2)
			expect(documentJson(document)).toEqual(expected)
		} finally {
			await stored.close()
		}
	}, 180_000)

	test('an edit another user has seen survives a kill before its commit, though its author is gone too', async () => {
		// The database write is held back 3 s, so the edit is certainly not stored when the server dies:
		// what brings it back is the journal written before the edit was forwarded.
		for (const client of clients.splice(0)) client.destroy()
		await server?.stop()
		server = await startServerProcess({ port, database, env: { COLLAB_GROUP_COMMIT_MS: '3000' }, timeoutMs: 60_000 })
		const [authorCookie, readerCookie] = await Promise.all(
			[demoEmails.owner, demoEmails.reviewer].map(async (email) => (await logIn(server!.url, email)).cookieHeader),
		)
		const author = scholionClient(server.url, seminarDocumentId, { cookie: authorCookie })
		const reader = scholionClient(server.url, seminarDocumentId, { cookie: readerCookie })
		clients = [author, reader]
		await eventually(() => author.isSynced() && reader.isSynced(), 'both clients to sync', 10_000)
		await eventually(() => author.isSaved(), 'the author to be told everything so far is stored', 5000)

		const marker = '[seen before stored] '
		typeInto(author.doc, 1, 0, marker)
		// The other user sees it at once, long before the database has it.
		await eventually(() => blockTexts(reader.doc)[1]!.startsWith(marker), 'the reader to see the edit', 1000)
		expect(author.isSaved()).toBe(false)

		await server.kill()
		for (const client of clients) client.destroy()
		clients = []

		server = await startServerProcess({ port, database, timeoutMs: 60_000 })
		const fresh = scholionClient(server.url, seminarDocumentId, { cookie: readerCookie })
		clients = [fresh]
		await eventually(() => fresh.isSynced(), 'a fresh client to sync after the restart', 10_000)
		expect(blockTexts(fresh.doc)[1]!.startsWith(marker)).toBe(true)
		expect(await server.stop()).toBe(0)
		server = null
		const stored = await database.open()
		try {
			expect(blockTexts(await storedDocument(stored.db, seminarDocumentId))[1]!.split(marker)).toHaveLength(2)
		} finally {
			await stored.close()
		}
	}, 120_000)
})
