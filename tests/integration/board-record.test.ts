import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { createUser, findUserByEmail, type User } from '#db/queries/accounts.ts'
import { addMember } from '#db/queries/groups.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { mentionMarkdown } from '#app/markdown/mentions.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'

const board = demoGroups.board.id
const documentId = demoDocuments[2].id
const quote = 'It is reported that in a large Siberian city every third resident was shot'

let app: TestApp
let moderator: User
let priya: User
let wanda: User
const reasons = {
	changes: 'Name the archive and the file number.',
	reject: 'Out of scope for this manuscript.',
	approve: 'Well argued and sourced.',
}
const clients = {} as Record<'owner' | 'priya' | 'outsider', FormClient>

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20, notifications: { schedule: false } })
	const { db } = app.database
	await seedDemo(db)
	moderator = (await findUserByEmail(db, 'moderator@scholion.test'))!
	priya = (await findUserByEmail(db, 'reviewer@scholion.test'))!
	wanda = (await createUser(db, { email: 'wanda@example.org', name: 'Wanda Second', passwordHash: priya.passwordHash, color: '#884422' }))!
	await addMember(db, board, wanda.id, 'reviewer')
	await createUser(db, { email: 'outsider@example.org', name: 'Otto Outside', passwordHash: priya.passwordHash, color: '#224488' })

	const anchor = () =>
		app.server.collab.withDocument(documentId, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			copy.getXmlFragment(documentFragmentName)
			return anchorFor(copy, quote)
		})
	const review = async (author: User, body: string) =>
		app.server.annotations.create(author, documentId, { motivation: 'commenting', body, tags: [], status: 'submitted', anchor: await anchor() })
	const { publication } = app.server
	const a = await review(wanda, `Review A: the figure is unsourced; ${mentionMarkdown(priya.id, priya.name)} agrees.`)
	await publication.decide(moderator, a.id, { verdict: 'request_changes', reason: reasons.changes })
	const b = await review(priya, 'Review B: a digression on Kolyma.')
	await publication.decide(moderator, b.id, { verdict: 'reject', reason: reasons.reject })
	const c = await review(wanda, 'Review C: the chronology holds.')
	await publication.decide(moderator, c.id, { verdict: 'approve', reason: reasons.approve })
	await review(priya, 'Review D: still waiting.')

	for (const [who, email] of [
		['owner', 'owner@scholion.test'],
		['priya', 'reviewer@scholion.test'],
		['outsider', 'outsider@example.org'],
	] as const) {
		clients[who] = new FormClient(app.url)
		expect((await clients[who].post('/login', { email, password: demoPassword })).status).toBe(302)
	}
})
afterAll(async () => {
	await app?.close()
})

const base = `/documents/${documentId}/decisions`

describe('the board’s record', () => {
	test('page, printable page and Markdown: every review with its decision, reason and who took it', async () => {
		for (const path of [base, `${base}/print`, `${base}.md`]) {
			const response = await clients.owner.get(path)
			expect(response.status, path).toBe(200)
			const text = (await response.text()).replaceAll('&#x27;', '’')
			for (const reason of Object.values(reasons)) expect(text, path).toContain(reason)
			for (const words of ['Changes requested', 'Rejected', 'Pending', 'Review A', 'Review D', 'Wanda Second', 'Priya Raman', 'Tomás Reyes']) {
				expect(text, `${path}: ${words}`).toContain(words)
			}
		}
		const markdown = await clients.owner.get(`${base}.md`)
		expect(markdown.headers.get('content-type')).toContain('text/markdown')
		expect(markdown.headers.get('content-disposition')).toContain('attachment')
	})

	test('the pseudonymous letter names nobody, in any of its forms', async () => {
		for (const path of [`${base}?for=author`, `${base}/print?for=author`, `${base}.md?for=author`]) {
			const response = await clients.owner.get(path)
			expect(response.status, path).toBe(200)
			const text = await response.text()
			for (const reason of Object.values(reasons)) expect(text, path).toContain(reason)
			expect(text).toMatch(/Reviewer \d+/)
			expect(text).toContain('The board')
			// The pages carry the signed-in steward's own name in the site header (hidden in print); the letter itself names nobody.
			const ownName = path.includes('.md') ? ['Irena Novak'] : []
			for (const secret of [wanda.name, priya.name, moderator.name, ...ownName, wanda.id, priya.id, moderator.id]) {
				expect(text, `${path} leaks ${secret}`).not.toContain(secret)
			}
		}
	})

	test('anyone but a steward gets a 404, like a document that does not exist', async () => {
		const anonymous = new FormClient(app.url)
		for (const path of [base, `${base}/print`, `${base}.md`, `${base}?for=author`]) {
			for (const client of [clients.priya, clients.outsider, anonymous]) {
				const response = await client.get(path)
				expect(response.status, path).toBe(404)
				expect(await response.text()).not.toContain('Review A')
			}
		}
		expect((await clients.owner.get('/documents/5c1ed0c0-0000-4000-8000-0000000000ff/decisions')).status).toBe(404)
	})

	test('linked for stewards from the document and the moderation page, not for reviewers', async () => {
		expect(await (await clients.owner.get(`/documents/${documentId}`)).text()).toContain(`href="${base}"`)
		expect(await (await clients.owner.get(`/groups/${board}/moderation`)).text()).toContain(`href="${base}"`)
		expect(await (await clients.priya.get(`/documents/${documentId}`)).text()).not.toContain(`href="${base}"`)
	})
})
