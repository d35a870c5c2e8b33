import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { demoDocuments, demoGroups, demoPassword, seedDemo } from '#seeds/demo.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { mentionMarkdown } from '#app/markdown/mentions.ts'
import { latestDigestTime } from '#server/notifications/digest.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient } from '#tests/support/http-client.ts'

type Who = 'owner' | 'moderator' | 'reviewer' | 'reader'
const seminar = demoGroups.seminar.id
const documentId = demoDocuments[0].id
const quote = 'It is reported that in a large Siberian city every third resident was shot'

let app: TestApp
const users = {} as Record<Who, User>

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20, notifications: { schedule: false } })
	await seedDemo(app.database.db)
	for (const role of ['owner', 'moderator', 'reviewer', 'reader'] as const) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	}
})
afterAll(async () => {
	await app?.close()
})

async function annotate(author: User, body: string) {
	const anchor = await app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, quote)
	})
	return app.server.annotations.create(author, documentId, { motivation: 'commenting', body, tags: [], status: 'submitted', anchor })
}

/** Each person's inbox lines about `text`, as "kind: summary". */
async function told(text: string) {
	const out: Partial<Record<Who, string[]>> = {}
	for (const who of ['owner', 'moderator', 'reviewer', 'reader'] as const) {
		const items = (await app.server.notifications.inbox(users[who])).filter((i) => i.excerpt.includes(text))
		if (items.length > 0) out[who] = items.map((i) => `${i.kind}: ${i.summary}`).sort()
	}
	return out
}

async function summaries(who: Who) {
	return (await app.server.notifications.inbox(users[who])).filter((i) => i.kind === 'submission_summary')
}

describe('replies in a seminar', () => {
	test('a reply tells the thread’s participants, never the stewards as a submission', async () => {
		const root = await annotate(users.reviewer, 'Noise root: where is this from?')
		expect(Object.keys(await told('Noise root')).sort()).toEqual(['moderator', 'owner'])

		await app.server.annotations.reply(users.owner, root.id, 'Noise reply one: the NKVD order.')
		expect(await told('Noise reply one')).toEqual({ reviewer: ['reply: Irena Novak replied to your annotation on “Stalin, 1924 – 1953”'] })

		// The moderator answers too: the author hears of it, and so does the owner, who wrote in the thread.
		await app.server.annotations.reply(users.moderator, root.id, 'Noise reply two: see Conquest.')
		expect(await told('Noise reply two')).toEqual({
			owner: ['reply: Tomás Reyes replied in a thread you took part in on “Stalin, 1924 – 1953”'],
			reviewer: ['reply: Tomás Reyes replied to your annotation on “Stalin, 1924 – 1953”'],
		})
	})

	test('a mention in a reply is one notification for the person mentioned, even a steward who wrote in the thread', async () => {
		const root = await annotate(users.reviewer, 'Mention root about sources.')
		await app.server.annotations.reply(users.owner, root.id, 'Mention root, first answer.')
		await app.server.annotations.reply(
			users.moderator,
			root.id,
			`Mention check: ${mentionMarkdown(users.owner.id, users.owner.name)} and ${mentionMarkdown(users.reviewer.id, users.reviewer.name)}, compare the census.`,
		)
		expect(await told('compare the census')).toEqual({
			owner: ['mention: Tomás Reyes mentioned you in a reply on “Stalin, 1924 – 1953”'],
			reviewer: ['mention: Tomás Reyes mentioned you in a reply on “Stalin, 1924 – 1953”'],
		})
	})
})

describe('submission summaries', () => {
	test('hourly: no notice per submission; one summary at the next whole hour; none when nothing is new', async () => {
		const saved = new Date()
		expect(await app.server.notifications.saveSubmissionNotice(users.moderator.id, seminar, 'hourly', saved)).toBe(true)
		const before = (await summaries('moderator')).length
		await annotate(users.reviewer, 'Hourly one: a first submission.')
		await annotate(users.reviewer, 'Hourly two: a second submission.')
		const lines = await told('Hourly')
		expect(lines.moderator).toBeUndefined()
		expect(lines.owner).toHaveLength(2)

		const nextHour = new Date(Math.floor(saved.getTime() / 3_600_000) * 3_600_000 + 3_600_000)
		expect(await app.server.notifications.summaries.runDue(new Date(nextHour.getTime() - 60_000))).toBe(0)
		expect(await summaries('moderator')).toHaveLength(before)

		expect(await app.server.notifications.summaries.runDue(new Date(nextHour.getTime() + 30_000))).toBeGreaterThanOrEqual(1)
		const [summary, ...older] = await summaries('moderator')
		expect(older).toHaveLength(before)
		expect(summary).toMatchObject({ summary: '2 new submissions waiting for moderation', href: `/groups/${seminar}/moderation` })
		expect(summary!.excerpt).toBe('“Stalin, 1924 – 1953” (2)')

		// Once sent, the same hour sends nothing again, and an hour with nothing new sends nothing.
		expect(await app.server.notifications.summaries.runDue(new Date(nextHour.getTime() + 60_000))).toBe(0)
		expect(await app.server.notifications.summaries.runDue(new Date(nextHour.getTime() + 3_600_000 + 30_000))).toBe(0)
		expect(await summaries('moderator')).toHaveLength(before + 1)
	})

	test('daily: one summary at the digest hour; replies are never counted', async () => {
		const saved = new Date()
		await app.server.notifications.saveSubmissionNotice(users.owner.id, seminar, 'daily', saved)
		const root = await annotate(users.reviewer, 'Daily one: a submission for the owner’s summary.')
		await app.server.annotations.reply(users.moderator, root.id, 'Daily reply: not a submission.')
		expect((await told('Daily one')).owner).toBeUndefined()

		const next = new Date(latestDigestTime(saved, 7).getTime() + 24 * 3_600_000)
		expect(await app.server.notifications.summaries.runDue(new Date(next.getTime() - 120_000))).toBeGreaterThanOrEqual(0)
		expect(await summaries('owner')).toHaveLength(0)
		await app.server.notifications.summaries.runDue(new Date(next.getTime() + 30_000))
		const owner = await summaries('owner')
		expect(owner).toHaveLength(1)
		expect(owner[0]!.summary).toBe('1 new submission waiting for moderation')
		expect(await app.server.notifications.summaries.runDue(new Date(next.getTime() + 24 * 3_600_000 + 30_000))).toBe(0)
		expect(await summaries('owner')).toHaveLength(1)
	})

	test('the settings page: a section per group a steward moderates, saved by a plain form; others see none and cannot set one', async () => {
		const moderator = new FormClient(app.url)
		await moderator.post('/login', { email: 'moderator@scholion.test', password: demoPassword })
		const page = await (await moderator.get('/settings/notifications')).text()
		expect(page).toContain('New submissions in Sources seminar')
		expect(page).toContain('New submissions in Editorial board')
		const saved = await moderator.post('/settings/notifications', { intent: 'submissions', groupId: seminar, cadence: 'daily' })
		expect(saved.status).toBe(200)
		expect(await saved.text()).toContain('Saved.')
		expect((await app.server.notifications.submissionNotices(users.moderator.id)).find((n) => n.groupId === seminar)?.cadence).toBe('daily')
		const refused = await moderator.post('/settings/notifications', { intent: 'submissions', groupId: seminar, cadence: 'weekly' })
		expect(refused.status).toBe(400)
		expect(await refused.text()).toContain('Choose each submission, an hourly or a daily summary.')

		const reviewer = new FormClient(app.url)
		await reviewer.post('/login', { email: 'reviewer@scholion.test', password: demoPassword })
		expect(await (await reviewer.get('/settings/notifications')).text()).not.toContain('New submissions in Sources seminar')
		expect((await reviewer.post('/settings/notifications', { intent: 'submissions', groupId: seminar, cadence: 'daily' })).status).toBe(404)
	})
})
