import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { eq } from 'drizzle-orm'
import { findGroup } from '#db/queries/groups.ts'
import { groups } from '#db/schema/index.ts'
import { findAnnotation } from '#db/queries/annotations.ts'
import { listVersions } from '#db/queries/publication.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { demoDocuments, demoGroups, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

/**
 * The moderation queue and history pages through plain form posts (no
 * JavaScript), as owner, moderator, reviewer, reader and an outsider.
 */

let app: TestApp
const board = demoGroups.board.id
const seminar = demoGroups.seminar.id
const manuscript = demoDocuments[2].id
const roles = ['owner', 'moderator', 'reviewer', 'reader'] as const
const users = {} as Record<(typeof roles)[number], User>
const clients = {} as Record<(typeof roles)[number] | 'outsider', FormClient>
const queuePath = `/groups/${board}/moderation`
const forged = '00000000-0000-4000-8000-00000000dead'

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	for (const role of roles) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
		const client = new FormClient(app.url)
		const response = await client.post('/login', { email: `${role}@scholion.test`, password: 'scholion-demo' })
		expect(response.status).toBe(302)
		clients[role] = client
	}
	clients.outsider = await signUp(app.url, { email: 'outsider@example.org', name: 'Olga Outside' })
	await app.server.publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 2 })
	// These pages are about publishing: the board's layer is public here (approval under `none` is editorial-workflow.test.ts).
	await app.database.db.update(groups).set({ publishedAudience: 'public' }).where(eq(groups.id, board))
})
afterAll(async () => {
	await app?.close()
})

/** The words of a page as a person reads them: tags dropped, entities decoded, whitespace collapsed. */
function words(html: string): string {
	return html
		.replace(/<script[\s\S]*?<\/script>/g, ' ')
		.replace(/<[^>]*>/g, '')
		.replace(/&quot;/g, '"')
		.replace(/&#x27;|&#39;/g, "'")
		.replace(/&lt;/g, '<')
		.replace(/&gt;/g, '>')
		.replace(/&amp;/g, '&')
		.replace(/\s+/g, ' ')
}

async function page(client: FormClient, path = queuePath) {
	const response = await client.get(path)
	return { status: response.status, text: words(await response.text()) }
}

/** The queue's "Waiting for a decision" section alone (the page also lists what is published). */
function waitingSection(text: string): string {
	return text.slice(text.indexOf('Waiting for a decision'), text.indexOf('Reports from readers'))
			.split(/Published \(\d+\)/)[0]!
}

async function post(client: FormClient, fields: Record<string, string>, path = queuePath) {
	const response = await client.post(path, fields)
	return { status: response.status, text: words(await response.text()) }
}

async function anchorOn(documentId: string, quote: string) {
	return app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, quote)
	})
}

async function annotate(author: User, quote: string, body: string, extra: { tags?: string[]; motivation?: 'questioning' | 'commenting' } = {}) {
	return app.server.annotations.create(author, manuscript, {
		motivation: extra.motivation ?? 'questioning',
		body,
		tags: extra.tags ?? ['sources'],
		status: 'submitted',
		anchor: await anchorOn(manuscript, quote),
	})
}

const statusOf = async (id: string) => (await findAnnotation(app.database.db, id))?.status

describe('who may see the queue', () => {
	test('moderators and owners see it; reviewers and readers get 403; outsiders and forged ids 404', async () => {
		expect((await page(clients.moderator)).status).toBe(200)
		expect((await page(clients.owner)).text).toContain('Moderation queue')
		expect((await page(clients.reviewer)).status).toBe(403)
		expect((await page(clients.reader)).status).toBe(403)
		expect((await page(clients.outsider)).status).toBe(404)
		expect((await page(clients.moderator, `/groups/${forged}/moderation`)).status).toBe(404)
		expect((await page(clients.moderator, '/groups/not-a-uuid/moderation')).status).toBe(404)
		expect((await post(clients.reader, { intent: 'approve', annotationId: forged, reason: 'x' })).status).toBe(403)
		expect((await post(clients.outsider, { intent: 'approve', annotationId: forged, reason: 'x' })).status).toBe(404)
	})

	test('the group page links the queue for stewards only, with how many wait', async () => {
		const a = await annotate(users.reviewer, 'every third resident was shot', 'Counted for the link.')
		const moderator = await page(clients.moderator, `/groups/${board}`)
		expect(moderator.text).toMatch(/Moderation queue \(\d+ waiting\)/)
		expect((await page(clients.reader, `/groups/${board}`)).text).not.toContain('Moderation queue')
		await post(clients.moderator, { intent: 'reject', annotationId: a.id, reason: 'Only here to be counted.' })
	})
})

describe('deciding through the form', () => {
	test('quorum of two: the first approval waits, the second publishes and freezes edition 1', async () => {
		const quote = 'It is reported that in a large Siberian city every third resident was shot'
		const a = await annotate(users.reviewer, quote, 'Which **archive** reports this?', { tags: ['unsourced'] })
		const before = await page(clients.moderator)
		expect(before.text).toContain('Which archive reports this?')
		expect(before.text).toContain(quote)
		expect(before.text).toContain('0 of 2 approvals')
		expect(before.text).toContain('No edition yet: publishing freezes edition 1')
		expect(before.text).toContain('unsourced')
		expect(before.text).toContain('by Priya Raman')

		const refused = await post(clients.moderator, { intent: 'approve', annotationId: a.id, reason: '   ' })
		expect(refused.status).toBe(400)
		expect(refused.text).toContain('Give a reason for the decision.')
		expect(await statusOf(a.id)).toBe('submitted')

		const first = await post(clients.moderator, { intent: 'approve', annotationId: a.id, reason: 'A fair methodological question.' })
		expect(first.status).toBe(200)
		expect(first.text).toContain('approved (1 of 2); waiting for 1 more approval')
		const waiting = await page(clients.moderator)
		expect(waiting.text).toContain('1 of 2 approvals')
		expect(waiting.text).toContain('You have already decided on this submission')
		expect(waiting.text).toContain('A fair methodological question.')

		const second = await post(clients.owner, { intent: 'approve', annotationId: a.id, reason: 'Agreed.' })
		expect(second.text).toContain('published as version 1')
		expect(await statusOf(a.id)).toBe('published')
		expect(waitingSection((await page(clients.owner)).text)).not.toContain('Which archive reports this?')
		const groupPage = await clients.owner.get(`/groups/${board}`)
		expect(await groupPage.text()).toContain(`href="/read/${manuscript}/e/1"`)
	})

	test('request changes and reject take effect at once; nobody decides on their own', async () => {
		const asked = await annotate(users.reviewer, 'every third resident', 'Unsourced figure?')
		const rejected = await annotate(users.reviewer, 'large Siberian city', 'Which city?')
		const own = await annotate(users.moderator, 'Siberian city', 'My own question.')

		const changes = await post(clients.moderator, { intent: 'request_changes', annotationId: asked.id, reason: 'Say which figure.' })
		expect(changes.text).toContain('changes requested from the author')
		expect(await statusOf(asked.id)).toBe('changes_requested')

		const reject = await post(clients.moderator, { intent: 'reject', annotationId: rejected.id, reason: 'Duplicate.' })
		expect(reject.text).toContain('rejected')
		expect(await statusOf(rejected.id)).toBe('rejected')

		expect((await page(clients.moderator)).text).toContain('You wrote this: nobody decides on their own annotation.')
		const mine = await post(clients.moderator, { intent: 'approve', annotationId: own.id, reason: 'Looks fine to me.' })
		expect(mine.status).toBe(403)
		expect(mine.text).toContain('Nobody approves or decides on their own annotation.')
		expect(await statusOf(own.id)).toBe('submitted')

		expect((await post(clients.moderator, { intent: 'approve', annotationId: forged, reason: 'x' })).status).toBe(404)
		await post(clients.owner, { intent: 'reject', annotationId: own.id, reason: 'Cleaning up.' })
	})

	test('bulk approve reports per item: published, waiting, refused', async () => {
		await app.server.publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 1 })
		const a = await annotate(users.reviewer, 'resident was shot', 'Bulk one.')
		const b = await annotate(users.reviewer, 'every third', 'Bulk two.')
		const own = await annotate(users.moderator, 'third resident', 'Bulk, my own.')
		const result = await post(clients.moderator, {
			intent: 'bulk',
			bulk: 'approve',
			reason: 'Sound questions.',
			annotationId: a.id,
			shown: own.id,
			all: 'on',
		} as Record<string, string>)
		expect(result.status).toBe(200)
		expect(result.text).toContain('“resident was shot” by Priya Raman: published as version 1.')
		expect(result.text).toContain('“third resident” by Tomás Reyes: refused: Nobody approves or decides on their own annotation.')
		expect(await statusOf(a.id)).toBe('published')
		expect(await statusOf(b.id)).toBe('submitted')

		const empty = await post(clients.moderator, { intent: 'bulk', bulk: 'approve', reason: 'Nothing.' })
		expect(empty.status).toBe(400)
		expect(empty.text).toContain('Select at least one submission first.')

		// Several annotationId fields, as checked boxes send them.
		const form = new URLSearchParams([
			['intent', 'bulk'],
			['bulk', 'reject'],
			['reason', 'Not for this manuscript.'],
			['annotationId', b.id],
			['annotationId', forged],
		])
		const response = await clients.owner.request(queuePath, {
			method: 'POST',
			headers: { 'Content-Type': 'application/x-www-form-urlencoded', Origin: app.origin },
			body: form.toString(),
		})
		const text = words(await response.text())
		expect(text).toContain('“every third” by Priya Raman: rejected.')
		expect(text).toContain('An annotation: refused: not in this group’s queue.')
		expect(await statusOf(b.id)).toBe('rejected')
		await post(clients.owner, { intent: 'reject', annotationId: own.id, reason: 'Cleaning up.' })
	})

	test('filters narrow the queue; a forged filter is refused with a message', async () => {
		const q = await annotate(users.reviewer, 'Siberian', 'A question to filter.', { tags: ['filter-me'] })
		const c = await annotate(users.reviewer, 'large Siberian', 'A comment to filter.', { motivation: 'commenting', tags: ['other'] })
		const byTag = await page(clients.moderator, `${queuePath}?tag=filter-me`)
		expect(byTag.text).toContain('A question to filter.')
		expect(byTag.text).not.toContain('A comment to filter.')
		const byKind = await page(clients.moderator, `${queuePath}?kind=commenting`)
		expect(byKind.text).toContain('A comment to filter.')
		expect(byKind.text).not.toContain('A question to filter.')
		const bogus = await page(clients.moderator, `${queuePath}?kind=shouting&author=nobody`)
		expect(bogus.text).toContain('Choose a kind from the list.')
		expect(bogus.text).toContain('A question to filter.')
		for (const id of [q.id, c.id]) await post(clients.owner, { intent: 'reject', annotationId: id, reason: 'Cleaning up.' })
	})
})

describe('policy', () => {
	test('quorum 0, 11 and "abc" are refused with a message and change nothing; a moderator may not set it', async () => {
		const before = await findGroup(app.database.db, board)
		for (const quorum of ['0', '11', 'abc', '']) {
			const refused = await post(clients.owner, { intent: 'policy', requiresApproval: 'on', approvalQuorum: quorum })
			expect(refused.status).toBe(400)
			expect(refused.text).toContain('The quorum is a whole number from 1 to 10.')
		}
		expect(await findGroup(app.database.db, board)).toMatchObject({ approvalQuorum: before!.approvalQuorum, requiresApproval: before!.requiresApproval })
		expect((await post(clients.moderator, { intent: 'policy', requiresApproval: 'on', approvalQuorum: '3' })).status).toBe(403)
		expect((await page(clients.moderator)).text).not.toContain('Moderation policy')

		// The board has an owner and a moderator: a quorum of three could never be met.
		const impossible = await post(clients.owner, { intent: 'policy', requiresApproval: 'on', approvalQuorum: '3' })
		expect(impossible.status).toBe(400)
		expect(impossible.text).toContain('This group has 2 moderators and owners; a quorum of 3 could never be met.')
		expect(await findGroup(app.database.db, board)).toMatchObject({ approvalQuorum: before!.approvalQuorum })
		const saved = await post(clients.owner, { intent: 'policy', requiresApproval: 'on', approvalQuorum: '2' })
		expect(saved.text).toContain('Policy saved: 2 approvals publish a submission.')
		expect(await findGroup(app.database.db, board)).toMatchObject({ approvalQuorum: 2, requiresApproval: true })
		await post(clients.owner, { intent: 'policy', requiresApproval: 'on', approvalQuorum: '1' })
	})
})

describe('reports and editions', () => {
	async function published(body: string, quote = 'every third resident was shot') {
		const a = await annotate(users.reviewer, quote, body)
		await app.server.publication.decide(users.owner, a.id, { verdict: 'approve', reason: 'ok' })
		const [version] = await listVersions(app.database.db, a.id)
		return { id: a.id, version: version! }
	}

	test('a reader’s report is dismissed, another leads to a retraction with a public notice', async () => {
		const kept = await published('Stays up after a report.')
		await app.server.publication.report(kept.version.id, 'I think this is rude.', '10.0.0.1')
		const shown = await page(clients.moderator)
		expect(shown.text).toContain('Reports from readers (1)')
		expect(shown.text).toContain('I think this is rude.')
		expect(shown.text).toContain('Stays up after a report.')
		const reportId = (await app.server.publication.queue(users.moderator, board)).reports[0]!.report.id
		const dismissed = await post(clients.moderator, { intent: 'dismiss', reportId })
		expect(dismissed.text).toContain('Report dismissed')
		expect(dismissed.text).toContain('Reports from readers (0)')
		expect((await listVersions(app.database.db, kept.id))[0]?.standing).toBe('published')

		const wrong = await published('A figure that turns out wrong.')
		await app.server.publication.report(wrong.version.id, 'The figure is misquoted.', '10.0.0.2')
		const second = (await app.server.publication.queue(users.moderator, board)).reports[0]!.report.id
		const noNotice = await post(clients.moderator, { intent: 'retract', reportId: second, annotationId: wrong.id, notice: ' ' })
		expect(noNotice.status).toBe(400)
		expect(noNotice.text).toContain('Write the public notice')
		const retracted = await post(clients.moderator, {
			intent: 'retract',
			reportId: second,
			annotationId: wrong.id,
			notice: 'Retracted: the figure was misquoted.',
		})
		expect(retracted.text).toContain('version 1 retracted with your public notice')
		expect((await listVersions(app.database.db, wrong.id))[0]).toMatchObject({ standing: 'retracted', retractionNotice: 'Retracted: the figure was misquoted.' })
		expect(retracted.text).toContain('Reports from readers (0)')
	})

	test('freezing a new edition says what was carried forward; unchanged text is a 409; another group’s document 404', async () => {
		await app.server.collab.withDocument(manuscript, (room) => {
			const first = room.doc.getXmlFragment(documentFragmentName).get(0) as Y.XmlElement
			room.doc.transact(() => (first.get(0) as Y.XmlText).insert(0, 'Revised. '), 'test')
		})
		// The queue's freeze leads to the preview; only the preview's confirmation freezes.
		const asked = await clients.moderator.post(queuePath, { intent: 'freeze', documentId: manuscript })
		expect(asked.status).toBe(303)
		expect(asked.headers.get('location')).toBe(`/documents/${manuscript}/editions/new`)
		const preview = await clients.moderator.get(`/documents/${manuscript}/editions/new`)
		const html = await preview.text()
		expect(words(html)).toContain('Freeze edition 2')
		const contentHash = /name="contentHash" value="(sha256:[0-9a-f]{64})"/.exec(html)![1]!
		const frozen = await post(clients.moderator, { intent: 'confirm', contentHash }, `/documents/${manuscript}/editions/new`)
		expect(frozen.status).toBe(200)
		expect(frozen.text).toMatch(/Edition 2 of “Manuscript under review: Stalin, 1924 – 1953” frozen; \d+ published annotations? carried forward/)
		const again = await page(clients.moderator, `/documents/${manuscript}/editions/new`)
		expect(again.text).toContain('The text has not changed since edition 2.')
		expect(again.text).not.toContain('Freeze edition 3')
		expect((await post(clients.moderator, { intent: 'freeze', documentId: demoDocuments[0].id })).status).toBe(404)
		expect((await post(clients.moderator, { intent: 'freeze', documentId: forged })).status).toBe(404)
		expect((await post(clients.moderator, { intent: 'freeze', documentId: manuscript }, `/groups/${seminar}/moderation`)).status).toBe(404)
	})
})

describe('an approximate placement', () => {
	test('needs the confirmation box: without it the approval is refused with the words found; with it, it publishes', async () => {
		// The live text drifts from the latest edition: "large" becomes "huge" in the live document only.
		await app.server.collab.withDocument(manuscript, (room) => {
			const fragment = room.doc.getXmlFragment(documentFragmentName)
			for (const paragraph of fragment.toArray()) {
				const text = (paragraph as Y.XmlElement).get(0)
				if (!(text instanceof Y.XmlText)) continue
				const at = text.toString().indexOf('in a large Siberian city')
				if (at < 0) continue
				room.doc.transact(() => {
					text.delete(at + 5, 'large'.length)
					text.insert(at + 5, 'huge')
				}, 'test')
				return
			}
			throw new Error('the sentence is not in the manuscript')
		})
		const a = await annotate(users.reviewer, 'that in a huge Siberian city every third resident was shot', 'On drifted words.')
		const shown = await page(clients.moderator)
		expect(shown.text).toContain('Approximate placement — needs confirmation.')
		expect(shown.text).toContain('Confirm the approximate placement on edition 2')
		const refused = await post(clients.moderator, { intent: 'approve', annotationId: a.id, reason: 'Fine.' })
		expect(refused.status).toBe(409)
		expect(refused.text).toContain('found only approximately')
		expect(await statusOf(a.id)).toBe('submitted')
		const confirmed = await post(clients.moderator, { intent: 'approve', annotationId: a.id, reason: 'Fine.', confirmPlacement: 'on' })
		expect(confirmed.text).toContain('published as version 1')
		expect((await listVersions(app.database.db, a.id))[0]?.exact).toContain('large Siberian city')
	})
})

describe('history page', () => {
	test('the audit trail and the published versions, for members; a draft for its author alone', async () => {
		const a = await annotate(users.reviewer, 'Siberian city every third resident', 'With a history.')
		await post(clients.moderator, { intent: 'approve', annotationId: a.id, reason: 'History reason.' })
		const history = await page(clients.reader, `/annotations/${a.id}/history`)
		expect(history.status).toBe(200)
		expect(history.text).toContain('New → Submitted')
		expect(history.text).toContain('Submitted → Published')
		expect(history.text).toContain('History reason.')
		expect(history.text).toContain('Tomás Reyes')
		const html = await (await clients.reader.get(`/annotations/${a.id}/history`)).text()
		expect(html).toContain(`href="/a/${a.id}/v/1"`)

		const draft = await app.server.annotations.create(users.reviewer, manuscript, {
			motivation: 'commenting',
			body: 'Private.',
			tags: [],
			status: 'draft',
			anchor: await anchorOn(manuscript, 'Siberian city'),
		})
		expect((await page(clients.reviewer, `/annotations/${draft.id}/history`)).status).toBe(200)
		expect((await page(clients.moderator, `/annotations/${draft.id}/history`)).status).toBe(404)
		expect((await page(clients.outsider, `/annotations/${a.id}/history`)).status).toBe(404)
		expect((await page(clients.reader, `/annotations/${forged}/history`)).status).toBe(404)
		expect((await page(clients.reader, '/annotations/nope/history')).status).toBe(404)
	})
})
