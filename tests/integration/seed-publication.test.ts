import { count } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { findUserByEmail } from '#db/queries/accounts.ts'
import { findGroup } from '#db/queries/groups.ts'
import { annotationTransitions, annotationVersions, editions } from '#db/schema/index.ts'
import { demoDocuments, demoGroups, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'

let app: TestApp
const runs: { created: boolean }[] = []
const counts: number[][] = []

beforeAll(async () => {
	app = await startTestApp()
	for (let run = 0; run < 2; run++) {
		runs.push(await seedDemo(app.database.db, { published: true }))
		const db = app.database.db
		counts.push(
			await Promise.all(
				[editions, annotationVersions, annotationTransitions].map(async (table) => (await db.select({ n: count() }).from(table))[0]!.n),
			),
		)
	}
})
afterAll(() => app?.close())

describe('the published demo', () => {
	test('seeds once: a second run creates nothing', () => {
		expect(runs.map((r) => r.created)).toEqual([true, false])
		expect(counts[1]).toEqual(counts[0])
	})

	test('each seminar text has a frozen first edition with approved methodological annotations whose selectors are its words', async () => {
		const { published } = app.server.publication
		for (const document of demoDocuments.slice(0, 2)) {
			const edition = await published.edition(document.id)
			expect(edition?.edition.number).toBe(1)
			expect(edition!.annotations.length).toBeGreaterThanOrEqual(2)
			const points = Array.from(edition!.plainText)
			for (const annotation of edition!.annotations) {
				expect(annotation.standing).toBe('published')
				expect(points.slice(annotation.selector!.start, annotation.selector!.end).join('')).toBe(annotation.selector!.exact)
				expect(annotation.tags.some((t) => ['unsourced', 'contested', 'hedged'].includes(t))).toBe(true)
			}
		}
		const first = await published.edition(demoDocuments[0].id)
		expect(first!.replies).toHaveLength(1)
	})

	test('one submission waits in the seminar’s moderation queue; the editorial board asks two approvals', async () => {
		const moderator = (await findUserByEmail(app.database.db, 'moderator@scholion.test'))!
		const queue = await app.server.publication.queue(moderator, demoGroups.seminar.id)
		expect(queue.items).toHaveLength(1)
		expect(queue.items[0]!.record.anchor?.exact).toContain('110,000 former soldiers')
		expect((await findGroup(app.database.db, demoGroups.board.id))?.approvalQuorum).toBe(2)
	})

	test('the seminar’s published layer is public on purpose; the board publishes nothing and has no edition', async () => {
		expect((await findGroup(app.database.db, demoGroups.seminar.id))?.publishedAudience).toBe('public')
		expect((await findGroup(app.database.db, demoGroups.board.id))?.publishedAudience).toBe('none')
		const board = demoDocuments.find((d) => d.group === 'board')!
		expect(await app.server.publication.published.edition(board.id)).toBeNull()
	})

	test('every published annotation has its audit trail, from submission to publication', async () => {
		const edition = await app.server.publication.published.edition(demoDocuments[0].id)
		const owner = (await findUserByEmail(app.database.db, 'owner@scholion.test'))!
		for (const annotation of edition!.annotations) {
			const { transitions } = await app.server.publication.history(owner, annotation.annotationId)
			expect(transitions.at(0)?.toStatus).toBe('submitted')
			expect(transitions.at(-1)).toMatchObject({ toStatus: 'published', actorName: 'Tomás Reyes' })
		}
	})
})

describe('seeding again on a later start', () => {
	test('leaves a policy the owner has changed since as it is', async () => {
		const owner = (await findUserByEmail(app.database.db, 'owner@scholion.test'))!
		// The seed asks for two; the board's two stewards could meet no more, so the owner chose one.
		await app.server.publication.setPolicy(owner, demoGroups.board.id, { requiresApproval: true, approvalQuorum: 1 })
		expect((await seedDemo(app.database.db, { published: true })).created).toBe(false)
		expect((await findGroup(app.database.db, demoGroups.board.id))?.approvalQuorum).toBe(1)
	})
})
