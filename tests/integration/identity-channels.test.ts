import { eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { createUser, findUserByEmail, type User } from '#db/queries/accounts.ts'
import { addMember } from '#db/queries/groups.ts'
import { listEmails } from '#db/queries/notifications.ts'
import { groups } from '#db/schema/index.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { mentionMarkdown } from '#app/markdown/mentions.ts'
import { buildExport, exportFormats } from '#server/exports/jobs.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'

/**
 * The channels server/notifications, server/search (workspace), server/exports
 * and the dashboards send on, in an `anonymous` (double-blind) board: a
 * reviewer reads neither another reviewer's name nor their account id in any
 * of them, asserted on the bytes sent; a steward reads the names.
 */

const board = demoGroups.board.id
const documentId = demoDocuments[2].id
const quote = 'It is reported that in a large Siberian city every third resident was shot'

let app: TestApp
let owner: User
let priya: User
let wanda: User
let olga: User
const clients = {} as Record<'owner' | 'priya', FormClient>

/** What another reviewer must never find in what Priya is sent. */
function secrets() {
	return [wanda.name, olga.name, wanda.id, olga.id, wanda.email, olga.email]
}

function expectNoSecrets(bytes: string) {
	for (const secret of secrets()) expect(bytes, `leaks ${secret}`).not.toContain(secret)
}

async function anchor() {
	return app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, quote)
	})
}

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20, notifications: { schedule: false } })
	const { db } = app.database
	await seedDemo(db)
	owner = (await findUserByEmail(db, 'owner@scholion.test'))!
	priya = (await findUserByEmail(db, 'reviewer@scholion.test'))!
	for (const [email, name] of [
		['wanda@example.org', 'Wanda Second'],
		['olga@example.org', 'Olga Third'],
	] as const) {
		const user = (await createUser(db, { email, name, passwordHash: priya.passwordHash, color: '#884422' }))!
		await addMember(db, board, user.id, 'reviewer')
		if (name === 'Wanda Second') wanda = user
		else olga = user
	}
	await db.update(groups).set({ identityMode: 'anonymous' }).where(eq(groups.id, board))

	// Wanda reviews, mentioning Priya and Olga; Priya starts a thread of her own, which Wanda answers.
	await app.server.annotations.create(wanda, documentId, {
		motivation: 'commenting',
		body: `Wanda’s review: the source is unnamed, ${mentionMarkdown(priya.id, priya.name)}; ${mentionMarkdown(olga.id, olga.name)} knows the archive.`,
		tags: [],
		status: 'submitted',
		anchor: await anchor(),
	})
	const own = await app.server.annotations.create(priya, documentId, {
		motivation: 'questioning',
		body: 'Priya asks: which city?',
		tags: [],
		status: 'submitted',
		anchor: await anchor(),
	})
	await app.server.annotations.reply(wanda, own.id, 'Wanda answers: Novosibirsk, per the archive.')
	await app.server.notifications.digest.sendDigests(new Date(Date.now() + 60_000))

	for (const [who, email] of [
		['owner', 'owner@scholion.test'],
		['priya', 'reviewer@scholion.test'],
	] as const) {
		clients[who] = new FormClient(app.url)
		expect((await clients[who].post('/login', { email, password: demoPassword })).status).toBe(302)
	}
})
afterAll(async () => {
	await app?.close()
})

describe('notifications', () => {
	test('a reviewer’s inbox names the other reviewers by pseudonym, mentions in excerpts too', async () => {
		const html = await (await clients.priya.get('/inbox')).text()
		expect(html).toMatch(/Reviewer \d+ mentioned you in an annotation on “/)
		expect(html).toMatch(/Reviewer \d+ replied to your annotation/)
		expect(html).toMatch(/@Reviewer \d+ knows the archive/)
		expectNoSecrets(html)
		// The same through Remix's data request (single fetch).
		const data = await (await clients.priya.get('/inbox.data')).text()
		expect(data).toContain('knows the archive')
		expectNoSecrets(data)
	})

	test('the steward’s inbox shows the name', async () => {
		const html = await (await clients.owner.get('/inbox')).text()
		expect(html).toContain('Wanda Second submitted an annotation for moderation')
	})

	test('the unread stream carries a count, no one’s name', async () => {
		const controller = new AbortController()
		const response = await clients.priya.request('/inbox/events', { method: 'GET', signal: controller.signal })
		const reader = response.body!.getReader()
		let text = ''
		while (!text.includes('event: unread')) text += new TextDecoder().decode((await reader.read()).value)
		controller.abort()
		expect(text).toMatch(/data: \{"unread":\d+\}/)
		expectNoSecrets(text)
	})

	test('emails, immediate and digest: pseudonyms for the reviewer, names for the steward', async () => {
		const toPriya = await listEmails(app.database.db, { recipientId: priya.id, limit: 50 })
		expect(toPriya.map((e) => e.subject)).toEqual(
			expect.arrayContaining([expect.stringMatching(/^Reviewer \d+ mentioned you/), expect.stringMatching(/^Your Scholion digest/)]),
		)
		for (const email of toPriya) expectNoSecrets(`${email.subject}\n${email.text}`)
		const toOwner = await listEmails(app.database.db, { recipientId: owner.id, limit: 50 })
		expect(toOwner.some((e) => e.text.includes('Wanda Second submitted'))).toBe(true)
	})
})

describe('workspace search', () => {
	test('results and snippets through the reviewer’s lens; the author list offers no one she may not know', async () => {
		const html = await (await clients.priya.get('/search?q=archive')).text()
		expect(html).toContain('Wanda answers')
		expect(html).toMatch(/by (<!-- -->)?Reviewer \d+/)
		expectNoSecrets(html)
		const data = await (await clients.priya.get('/search.data?q=archive')).text()
		expect(data).toContain('Wanda answers')
		expectNoSecrets(data)
		// Found only by a hidden name: not found.
		const byName = await (await clients.priya.get('/search.data?q=Olga')).text()
		expect(byName).not.toContain('knows the archive')
		// Filtering by an account she may not know finds nothing of theirs.
		expect(await (await clients.priya.get(`/search.data?author=${wanda.id}`)).text()).not.toContain('Wanda answers')
	})

	test('the steward’s results show the name', async () => {
		expect(await (await clients.owner.get('/search?q=archive')).text()).toContain('Wanda Second')
	})
})

describe('exports and dashboards', () => {
	test('a reviewer’s export in every format holds pseudonyms only; the steward’s holds names', async () => {
		const deps = { db: app.database.db, annotations: app.server.annotations, origin: app.url }
		for (const format of exportFormats) {
			const mine = await buildExport(deps, priya, { kind: 'document', id: documentId }, format, { id: `${app.url}/exports/x`, label: 'x' })
			expect(mine).toContain('Wanda answers')
			expect(mine).toMatch(/Reviewer \d+/)
			expectNoSecrets(mine)
			const steward = await buildExport(deps, owner, { kind: 'document', id: documentId }, format, { id: `${app.url}/exports/x`, label: 'x' })
			expect(steward).toContain('Wanda Second')
		}
	})

	test('dashboards stay the stewards’: a reviewer is refused, and is sent no names', async () => {
		for (const path of [`/documents/${documentId}/dashboard`, `/groups/${board}/dashboard`]) {
			const response = await clients.priya.get(path)
			expect([403, 404]).toContain(response.status)
			expectNoSecrets(await response.text())
		}
		expect(await (await clients.owner.get(`/documents/${documentId}/dashboard`)).text()).toContain('Wanda Second')
	})
})
