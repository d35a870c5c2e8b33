import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { Redis } from 'ioredis'
import * as decoding from 'lib0/decoding'
import { addMember } from '#db/queries/groups.ts'
import { setIdentityMode } from '#db/queries/identity-mode.ts'
import { pseudonymNumbers } from '#db/queries/pseudonyms.ts'
import { demoGroups, seedDemo } from '#seeds/demo.ts'
import type { AnnotationEvent } from '#app/annotations/types.ts'
import { pseudonymLabel } from '#app/policy/identity.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import {
	accountIdentity,
	blockTexts,
	boardDocumentId,
	demoEmails,
	eventually,
	logIn,
	scholionClient,
	startCollabApp,
	type CollabApp,
	type ScholionClient,
} from '#tests/support/collab-harness.ts'
import { createTestDatabase } from '#tests/support/database.ts'
import type { DatabaseHandle } from '#db/client.ts'
import { signUp, type FormClient } from '#tests/support/http-client.ts'

/**
 * The identity mode across server processes: a viewer on one server sees a
 * person connected to the other one under the new rule within a second of the
 * switch (the other server re-stamps its own connections' presence when
 * Redis tells it), and annotation events relayed through Redis are shown
 * through the receiving viewer's lens.
 */

const redisUrl = process.env.REDIS_URL ?? 'redis://127.0.0.1:6379'

async function redisReachable(): Promise<boolean> {
	const probe = new Redis(redisUrl, { lazyConnect: true, connectTimeout: 1000, maxRetriesPerRequest: 0, retryStrategy: () => null })
	probe.on('error', () => {})
	try {
		await probe.connect()
		return (await probe.ping()) === 'PONG'
	} catch {
		return false
	} finally {
		probe.disconnect()
	}
}

const reachable = await redisReachable()
const skip = !reachable && process.env.CI !== 'true'
const groupId = demoGroups.board.id
const documentId = boardDocumentId

let database: DatabaseHandle
let a: CollabApp
let b: CollabApp
let asPriyaOnA: FormClient
let asWandaOnB: FormClient
let asOwnerOnA: FormClient
let wanda: { id: string; name: string }
const clients: ScholionClient[] = []

beforeAll(async () => {
	if (skip) return
	if (!reachable) throw new Error(`Redis at ${redisUrl} is unreachable, and under CI these tests must run.`)
	database = await createTestDatabase()
	await seedDemo(database.db)
	;[a, b] = await Promise.all([startCollabApp({ database, redisUrl }), startCollabApp({ database, redisUrl })])
	asWandaOnB = await signUp(b.url, { email: 'wanda@scholion.test', name: 'Wanda Zielinska' })
	wanda = await accountIdentity(database.db, 'wanda@scholion.test')
	await addMember(database.db, groupId, wanda.id, 'reviewer')
	asPriyaOnA = await logIn(a.url, demoEmails.reviewer)
	asOwnerOnA = await logIn(a.url, demoEmails.owner)
}, 60_000)

afterAll(async () => {
	for (const client of clients) client.destroy()
	await Promise.all([a?.close(), b?.close()])
	await database?.close()
})

function open(server: CollabApp, cookie: string) {
	const client = scholionClient(server.url, documentId, { cookie })
	const events: AnnotationEvent[] = []
	client.provider.messageHandlers[102] = (_encoder, decoder) => {
		events.push(JSON.parse(decoding.readVarString(decoder)) as AnnotationEvent)
	}
	client.provider.awareness.setLocalStateField('cursor', null)
	clients.push(client)
	const names = () =>
		[...client.provider.awareness.getStates()]
			.filter(([id]) => id !== client.doc.clientID)
			.map(([, state]) => (state.user as { name?: string } | undefined)?.name)
	return { client, events, names }
}

describe.skipIf(skip)('identity mode across two servers', () => {
	test('a switch made on one server re-stamps presence on the other within a second; relayed annotations are pseudonymous', async () => {
		await setIdentityMode(database.db, groupId, 'named')
		const priya = open(a, asPriyaOnA.cookieHeader)
		const wandaLive = open(b, asWandaOnB.cookieHeader)
		await eventually(() => priya.client.isSynced() && wandaLive.client.isSynced(), 'sync')
		await eventually(() => priya.names().includes(wanda.name), 'Wanda (on B) present by name on A')

		const started = Date.now()
		const confirmed = await asOwnerOnA.post(`/groups/${groupId}/settings/identity`, { intent: 'confirm', mode: 'anonymous' })
		expect(confirmed.status).toBe(302)
		const label = pseudonymLabel((await pseudonymNumbers(database.db, documentId, [wanda.id])).get(wanda.id)!)
		await eventually(() => priya.names().includes(label) && !priya.names().includes(wanda.name), 'pseudonym through Redis', 1000)
		expect(Date.now() - started).toBeLessThan(1000)
		await eventually(() => wandaLive.events.some((e) => e.kind === 'reload'), 'B told its editors to reload', 1000)

		// Wanda annotates through B; Priya, on A, receives it through Redis under Wanda's pseudonym.
		const anchor = anchorFor(wandaLive.client.doc, blockTexts(wandaLive.client.doc).find((t) => t.length > 40)!.slice(0, 25))
		const response = await asWandaOnB.request(`/documents/${documentId}/annotations`, {
			method: 'POST',
			headers: { 'Content-Type': 'application/json', Origin: b.origin },
			body: JSON.stringify({ intent: 'create', body: 'Relayed through Redis.', status: 'submitted', anchor }),
		})
		expect(response.status).toBe(200)
		await eventually(
			() => priya.events.some((e) => e.kind === 'annotation' && e.annotation.body === 'Relayed through Redis.'),
			'the relayed annotation',
		)
		const relayed = priya.events.find((e) => e.kind === 'annotation' && e.annotation.body === 'Relayed through Redis.')!
		expect(relayed).toMatchObject({ annotation: { creator: { id: null, name: label, pseudonymous: true }, mine: false } })
		expect(JSON.stringify(priya.events)).not.toContain(wanda.id)
	}, 30_000)
})
