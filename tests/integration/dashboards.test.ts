import { JSDOM } from 'jsdom'
import { sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { listTransitions } from '#db/queries/publication.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { defaultBinCount } from '#server/dashboards/density.ts'

/**
 * The dashboards against a scenario built through the services: three
 * members with known numbers of annotations, replies, endorsements,
 * submissions and approvals, decisions at known delays, and a draft and a
 * withdrawn submission that no figure may count.
 */

let app: TestApp
const board = demoGroups.board.id
const manuscript = demoDocuments[2].id
const users: Record<'owner' | 'moderator' | 'reviewer' | 'reader', User> = {} as never
const clients: Partial<Record<'owner' | 'moderator' | 'reviewer', FormClient>> = {}
const quotes = {
	a1: 'It is reported that in a large Siberian city every third resident was shot',
	a2: 'every third resident',
	a3: 'Siberian city',
	m1: 'resident was shot',
}
const startOffsets: number[] = []
const hour = 3_600_000

async function anchorOn(quote: string) {
	return app.server.collab.withDocument(manuscript, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, quote)
	})
}

async function annotate(author: User, quote: string, status: 'submitted' | 'draft' = 'submitted') {
	const anchor = await anchorOn(quote)
	const created = await app.server.annotations.create(author, manuscript, { motivation: 'questioning', body: `On “${quote}”`, tags: [], status, anchor })
	if (status === 'submitted') startOffsets.push(anchor.startOffset)
	return created
}

async function login(role: 'owner' | 'moderator' | 'reviewer'): Promise<FormClient> {
	const client = new FormClient(app.url)
	const response = await client.post('/login', { email: `${role}@scholion.test`, password: demoPassword })
	expect(response.status).toBe(302)
	return client
}

async function page(client: FormClient, path: string) {
	const response = await client.get(path)
	return { status: response.status, document: new JSDOM(await response.text()).window.document }
}

function participation(document: Document) {
	const rows = [...document.querySelectorAll('table.participation tbody tr')]
	return Object.fromEntries(
		rows.map((row) => [
			row.querySelector('th')!.textContent,
			[...row.querySelectorAll('td.number')].map((cell) => Number(cell.textContent)),
		]),
	)
}

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	for (const role of ['owner', 'moderator', 'reviewer', 'reader'] as const) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	}
	const { annotations, publication } = app.server
	await publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 1 })

	const a1 = await annotate(users.reviewer, quotes.a1)
	const a2 = await annotate(users.reviewer, quotes.a2)
	const a3 = await annotate(users.reviewer, quotes.a3)
	await annotate(users.reviewer, 'foreign travel were shut down', 'draft')
	const withdrawn = await annotate(users.reviewer, 'open debate in the Party ceased', 'submitted')
	startOffsets.pop()
	await annotations.edit(users.reviewer, withdrawn.id, { status: 'draft' })
	const m1 = await annotate(users.moderator, quotes.m1)

	await annotations.endorse(users.moderator, a1.id, true)
	await annotations.endorse(users.moderator, a2.id, true)
	await annotations.endorse(users.owner, a1.id, true)
	await annotations.endorse(users.reviewer, m1.id, true)

	const decided: { id: string; delay: number }[] = []
	const decide = async (who: User, id: string, verdict: 'approve' | 'reject', delay: number) => {
		await publication.decide(who, id, { verdict, reason: 'Seen.' })
		decided.push({ id, delay })
	}
	await decide(users.moderator, a1.id, 'approve', 1 * hour)
	await decide(users.owner, a2.id, 'approve', 2 * hour)
	await decide(users.owner, m1.id, 'approve', 3 * hour)
	await decide(users.moderator, a3.id, 'reject', 5 * hour)
	const ownerReply = await annotations.reply(users.owner, a1.id, 'The city is Omsk, per the 1937 report.')
	await decide(users.moderator, ownerReply.id, 'approve', 8 * hour)
	await annotations.reply(users.reviewer, m1.id, 'Which source?')

	// Decisions at known delays after the submission they decide: 1, 2, 3, 5 and 8 hours (median 3).
	for (const { id, delay } of decided) {
		const submittedAt = (await listTransitions(app.database.db, id)).find((t) => t.toStatus === 'submitted')!.at
		await app.database.db.execute(
			sql`update moderation_decisions set created_at = ${new Date(submittedAt.getTime() + delay).toISOString()}::timestamptz where annotation_id = ${id}`,
		)
	}
	clients.owner = await login('owner')
	clients.reviewer = await login('reviewer')
})
afterAll(async () => {
	await app?.close()
})

// Columns: annotations, replies, endorsements given, submissions, approvals given.
const expected = {
	'Priya Raman': [3, 1, 1, 4, 0],
	'Tomás Reyes': [1, 0, 2, 1, 2],
	'Irena Novak': [0, 1, 1, 1, 2],
	'Jonas Berg': [0, 0, 0, 0, 0],
}

describe('document dashboard', () => {
	test('shows exactly each member’s annotations, replies, endorsements, submissions and approvals', async () => {
		const { status, document } = await page(clients.owner!, `/documents/${manuscript}/dashboard`)
		expect(status).toBe(200)
		expect([...document.querySelectorAll('table.participation thead th')].map((th) => th.textContent?.replace(/[▲▼]/g, '').trim())).toEqual([
			'Member',
			'Role',
			'Annotations',
			'Replies',
			'Endorsements given',
			'Submissions',
			'Approvals given',
		])
		expect(participation(document)).toEqual(expected)
	})

	test('sorts by a column from the query string, and refuses an unknown one', async () => {
		const byReplies = (await page(clients.owner!, `/documents/${manuscript}/dashboard?sort=approvals&order=asc`)).document
		expect(Object.keys(participation(byReplies))).toEqual(['Jonas Berg', 'Priya Raman', 'Irena Novak', 'Tomás Reyes'])
		expect(byReplies.querySelector('th[aria-sort]')?.textContent).toContain('Approvals given')
		expect(byReplies.querySelector('th[aria-sort]')?.getAttribute('aria-sort')).toBe('ascending')
		const bad = await clients.owner!.get(`/documents/${manuscript}/dashboard?sort=password`)
		expect(bad.status).toBe(400)
		expect(await bad.text()).toContain('Sort by one of the columns')
	})

	test('the density strip counts each shared annotation in the stretch where it begins', async () => {
		const { document } = await page(clients.owner!, `/documents/${manuscript}/dashboard`)
		const counts = [...document.querySelectorAll('.density-table tbody tr')].map((row) => Number(row.querySelector('td.number')!.textContent))
		expect(counts).toHaveLength(defaultBinCount)
		const ranges = [...document.querySelectorAll('.density-table tbody tr td:first-child')].map((cell) =>
			cell.textContent!.split('–').map((n) => Number(n.replace(/,/g, ''))),
		)
		const want = new Array(defaultBinCount).fill(0)
		for (const offset of startOffsets) want[ranges.findIndex(([start, end]) => offset >= start! && offset < end!)]++
		expect(counts).toEqual(want)
		expect(counts.reduce((a, b) => a + b, 0)).toBe(4)
		// Each stretch with annotations links to the document at its first one.
		const links = [...document.querySelectorAll('svg.density-strip a')].map((a) => a.getAttribute('href'))
		expect(links).toHaveLength(want.filter((n) => n > 0).length)
		expect(links).toContain(`/documents/${manuscript}?at=${Math.min(...startOffsets)}`)
	})

	test('moderation: decisions and the median time to decision', async () => {
		const { document } = await page(clients.owner!, `/documents/${manuscript}/dashboard`)
		expect(document.querySelector('[data-testid="median-time"]')?.textContent).toBe('3.0 h')
		const weeks = [...document.querySelectorAll('.throughput-table tbody tr')].map((row) =>
			[...row.querySelectorAll('td')].map((cell) => cell.textContent),
		)
		const totals = weeks.reduce((sum, [submissions, decisions]) => [sum[0]! + Number(submissions), sum[1]! + Number(decisions)], [0, 0])
		// Submissions: Priya 4, Tomás 1, Irena 1 (the withdrawn one is a draft again and is not counted).
		expect(totals).toEqual([6, 5])
		expect(document.querySelector('svg.throughput-chart title')?.textContent).toBe('Moderation per week')
	})

	test('the activity feed shows shared work and never someone else’s draft', async () => {
		const { document } = await page(clients.owner!, `/documents/${manuscript}/dashboard`)
		const feed = document.querySelector('.activity-feed')!.textContent!
		expect(feed).toContain('Irena Novak replied')
		expect(feed).toContain('Tomás Reyes moved Priya Raman’s annotation from submitted to accepted on “It is reported')
		expect(feed).not.toContain('open debate in the Party ceased')
		expect(feed).not.toContain('foreign travel')
	})

	test('a reviewer is refused (403); someone outside the group cannot tell it exists (404)', async () => {
		expect((await clients.reviewer!.get(`/documents/${manuscript}/dashboard`)).status).toBe(403)
		expect((await clients.reviewer!.get(`/groups/${board}/dashboard`)).status).toBe(403)
		const outsider = await signUp(app.url, { email: 'outsider@example.test', name: 'Out Sider' })
		expect((await outsider.get(`/documents/${manuscript}/dashboard`)).status).toBe(404)
		expect((await outsider.get(`/groups/${board}/dashboard`)).status).toBe(404)
	})
})

describe('group dashboard', () => {
	test('the same figures over the group, with its documents', async () => {
		const { status, document } = await page(clients.owner!, `/groups/${board}/dashboard`)
		expect(status).toBe(200)
		expect(participation(document)).toEqual(expected)
		expect(document.querySelector('.document-dashboards')?.textContent).toContain('4 shared annotations')
		expect(document.querySelector('[data-testid="median-time"]')?.textContent).toBe('3.0 h')
	})
})
