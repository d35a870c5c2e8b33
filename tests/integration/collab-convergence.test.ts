import * as Y from 'yjs'
import { afterAll, afterEach, beforeAll, describe, expect, test } from 'vitest'
import { documentFragmentName } from '#app/editor/yjs.ts'
import {
	blockTexts,
	demoEmails,
	documentJson,
	eventually,
	fetchLiveDocument,
	logIn,
	mulberry32,
	recordConsoleErrors,
	scholionClient,
	seminarDocumentId,
	sleep,
	startCollabApp,
	storedDocument,
	type CollabApp,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'

// Six people edit the same text at random (fixed seed), dropping off and
// coming back as on a bad connection. When everyone is back, every copy
// and the stored document must be the same document.

const seed = 0x5c401101
const clientCount = 6
const operationCount = 300

// Letters from the seed texts' own range: Latin, accents, an en dash, Devanagari (all in the BMP,
// so an offset never splits a surrogate pair).
const alphabet = [...'abcdefghijklmnopqrstuvwxyz ABCDEFGHIJ.,;–éüçपरिसर']

let app: CollabApp
let clients: ScholionClient[] = []
const serverErrors = recordConsoleErrors()

beforeAll(async () => {
	app = await startCollabApp()
	const cookies = await Promise.all(
		[demoEmails.owner, demoEmails.moderator, demoEmails.reviewer].map(async (email) => (await logIn(app.url, email)).cookieHeader),
	)
	clients = Array.from({ length: clientCount }, (_, i) => scholionClient(app.url, seminarDocumentId, { cookie: cookies[i % cookies.length]! }))
	await eventually(() => clients.every((c) => c.isSynced()), 'every client to sync')
})
afterEach(() => {
	expect(serverErrors.take(), 'errors the server logged').toEqual([])
})
afterAll(async () => {
	for (const client of clients) client.destroy()
	await app?.close()
})

describe(`${clientCount} clients, ${operationCount} random operations (seed ${seed.toString(16)})`, () => {
	test('every client and the stored document end identical', async () => {
		const random = mulberry32(seed)
		const pick = (n: number) => Math.floor(random() * n)
		const word = () => Array.from({ length: 1 + pick(8) }, () => alphabet[pick(alphabet.length)]).join('')
		const initial = blockTexts(clients[0]!.doc).join('\n')
		const counts = { insert: 0, delete: 0, paragraph: 0, removeBlock: 0, disconnect: 0, reconnect: 0 }

		for (let op = 0; op < operationCount; op++) {
			const client = clients[pick(clientCount)]!
			const fragment = client.doc.getXmlFragment(documentFragmentName)
			const roll = random()
			if (roll < 0.1) {
				if (client.provider.shouldConnect) {
					client.provider.disconnect()
					counts.disconnect++
				} else {
					client.provider.connect()
					counts.reconnect++
				}
			} else if (roll < 0.17) {
				client.doc.transact(() => {
					const paragraph = new Y.XmlElement('paragraph')
					paragraph.insert(0, [new Y.XmlText(word())])
					fragment.insert(pick(fragment.length + 1), [paragraph])
				}, 'random edit')
				counts.paragraph++
			} else if (roll < 0.2 && fragment.length > 8) {
				client.doc.transact(() => fragment.delete(pick(fragment.length), 1), 'random edit')
				counts.removeBlock++
			} else {
				const block = fragment.get(pick(fragment.length))
				const text = block instanceof Y.XmlElement ? block.get(0) : null
				if (!(text instanceof Y.XmlText)) continue
				if (roll < 0.65 || text.length === 0) {
					client.doc.transact(() => text.insert(pick(text.length + 1), word()), 'random edit')
					counts.insert++
				} else {
					const at = pick(text.length)
					client.doc.transact(() => text.delete(at, Math.min(1 + pick(12), text.length - at)), 'random edit')
					counts.delete++
				}
			}
			// Let the network interleave the clients' messages now and then.
			if (random() < 0.3) await sleep(pick(6))
		}
		expect(counts.disconnect + counts.reconnect).toBeGreaterThan(10)
		expect(counts.insert + counts.delete).toBeGreaterThan(200)

		for (const client of clients) if (!client.provider.shouldConnect) client.provider.connect()
		const reference = () => documentJson(clients[0]!.doc)
		await eventually(
			() => {
				if (!clients.every((c) => c.isSynced() && c.isSaved())) return false
				const first = JSON.stringify(reference())
				return clients.every((c) => JSON.stringify(documentJson(c.doc)) === first)
			},
			'every client to converge and be saved',
			15_000,
		)
		const states = clients.map((c) => Y.decodeStateVector(Y.encodeStateVector(c.doc)))
		for (const state of states) expect(state).toEqual(states[0])
		expect(blockTexts(clients[0]!.doc).join('\n')).not.toBe(initial)

		// The stored document, as a fresh load from the database sees it, is the same document.
		const stored = await storedDocument(app.database.db, seminarDocumentId)
		expect(documentJson(stored)).toEqual(reference())
		expect(Y.decodeStateVector(Y.encodeStateVector(stored))).toEqual(states[0])
		// And so is what a newcomer is sent.
		const cookie = (await logIn(app.url, demoEmails.reader)).cookieHeader
		expect(documentJson(await fetchLiveDocument(app.url, seminarDocumentId, cookie))).toEqual(reference())
	})
})
