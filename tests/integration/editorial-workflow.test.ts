import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { findAnnotation } from '#db/queries/annotations.ts'
import { changeRole } from '#db/queries/groups.ts'
import { pseudonymNumbers } from '#db/queries/pseudonyms.ts'
import { listEditions, listTransitions, listVersions } from '#db/queries/publication.ts'
import { groups, moderationDecisions } from '#db/schema/index.ts'
import type { AnnotationView } from '#app/annotations/types.ts'
import type { Audience, IdentityMode } from '#app/policy/identity.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { demoGroups, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

/**
 * The editorial workflow a board chair runs: approval that only records
 * "accepted" where nothing may be published, versions published under a
 * pseudonym, a quorum that cannot stall (eligible stewards, a refused
 * policy, an owner's override), retraction from the thread, the history and
 * the queue, the reason for changes requested in the author's thread, and
 * the freeze preview. Through the real server and plain form posts.
 */

let app: TestApp
const board = demoGroups.board.id
const roles = ['owner', 'moderator', 'reviewer', 'reader'] as const
type Role = (typeof roles)[number]
const users = {} as Record<Role, User>
const clients = {} as Record<Role | 'outsider', FormClient>
const queuePath = `/groups/${board}/moderation`

const text = [
	'The first paragraph stays exactly as it is in every edition.',
	'In the second paragraph a large Siberian city is named, and the figure is disputed.',
	'The third paragraph will be removed entirely before the next edition.',
	'The fourth paragraph closes the argument.',
].join('\n\n')

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	for (const role of roles) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
		const client = new FormClient(app.url)
		expect((await client.post('/login', { email: `${role}@scholion.test`, password: 'scholion-demo' })).status).toBe(302)
		clients[role] = client
	}
	clients.outsider = await signUp(app.url, { email: 'outsider@example.org', name: 'Olga Outside' })
	await app.server.publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 1 })
})
afterAll(async () => {
	await app?.close()
})

function words(html: string): string {
	return html
		.replace(/<script[\s\S]*?<\/script>/g, ' ')
		.replace(/<[^>]*>/g, '')
		.replace(/&quot;/g, '"')
		.replace(/&#x27;|&#39;/g, "'")
		.replace(/&amp;/g, '&')
		.replace(/\s+/g, ' ')
}

async function page(client: FormClient, path = queuePath) {
	const response = await client.get(path)
	return { status: response.status, text: words(await response.text()) }
}

async function post(client: FormClient, fields: Record<string, string>, path = queuePath) {
	const response = await client.post(path, fields)
	return { status: response.status, text: words(await response.text()), location: response.headers.get('location') }
}

async function setGroup(settings: { audience?: Audience; mode?: IdentityMode }) {
	await app.database.db
		.update(groups)
		.set({ ...(settings.audience ? { publishedAudience: settings.audience } : {}), ...(settings.mode ? { identityMode: settings.mode } : {}) })
		.where(eq(groups.id, board))
}

/** A new board document, imported through the real form: each scenario has its own text. */
async function newDocument(title: string): Promise<string> {
	const form = new FormData()
	form.set('title', title)
	form.set('paste', text)
	form.set('format', 'txt')
	const response = await clients.owner.postMultipart(`/groups/${board}/import`, form)
	expect(response.status).toBe(302)
	return /\/documents\/([0-9a-f-]{36})$/.exec(response.headers.get('Location') ?? '')![1]!
}

async function annotate(author: User, documentId: string, quote: string, body: string) {
	const anchor = await app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, quote)
	})
	return app.server.annotations.create(author, documentId, { motivation: 'questioning', body, tags: [], status: 'submitted', anchor })
}

async function statusOf(id: string) {
	return (await findAnnotation(app.database.db, id))?.status
}

async function countRows(table: 'editions' | 'annotation_versions', documentId: string): Promise<number> {
	const result = await app.database.db.execute(sql`select count(*)::int as n from ${sql.identifier(table)} where document_id = ${documentId}::uuid`)
	return Number((result as unknown as { rows: { n: number }[] }).rows[0]!.n)
}

/** Replaces the text of paragraph `index` in the live document, as an editor would. */
async function editParagraph(documentId: string, index: number, change: (text: Y.XmlText) => void) {
	await app.server.collab.withDocument(documentId, (room) => {
		const paragraph = room.doc.getXmlFragment(documentFragmentName).get(index) as Y.XmlElement
		room.doc.transact(() => change(paragraph.get(0) as Y.XmlText), 'test')
	})
}

describe('approval where the published layer has no audience', () => {
	test('the quorum accepts: no edition, no version, the audit log says "accepted"; replies and edits keep working', async () => {
		await setGroup({ audience: 'none', mode: 'named' })
		const documentId = await newDocument('Accepted, never published')
		const a = await annotate(users.reviewer, documentId, 'the figure is disputed', 'Which figure?')

		const approved = await post(clients.moderator, { intent: 'approve', annotationId: a.id, reason: 'A fair question.' })
		expect(approved.status).toBe(200)
		expect(approved.text).toContain('accepted; nothing is published')
		expect(await statusOf(a.id)).toBe('accepted')
		expect(await countRows('editions', documentId)).toBe(0)
		expect(await countRows('annotation_versions', documentId)).toBe(0)
		const trail = await listTransitions(app.database.db, a.id)
		expect(trail.at(-1)).toMatchObject({ fromStatus: 'submitted', toStatus: 'accepted', actorName: users.moderator.name })
		expect(trail.at(-1)!.reason).toContain('A fair question.')

		// The members see it marked as accepted in the document.
		const listed = (await (await clients.reader.get(`/documents/${documentId}/annotations`)).json()) as { annotations: AnnotationView[] }
		expect(listed.annotations.find((x) => x.id === a.id)?.status).toBe('accepted')
		expect(words(await (await clients.moderator.get(`/annotations/${a.id}/history`)).text())).toContain('Accepted')

		// A reply under an accepted annotation is decided the same way.
		const reply = await app.server.annotations.reply(users.reviewer, a.id, 'And from which year?')
		await app.server.publication.decide(users.owner, reply.id, { verdict: 'approve', reason: 'Fine.' })
		expect(await statusOf(reply.id)).toBe('accepted')

		// Editing an accepted annotation submits it again.
		await app.server.annotations.edit(users.reviewer, a.id, { body: 'Which figure, and from which source?' })
		expect(await statusOf(a.id)).toBe('submitted')
		await app.server.publication.decide(users.moderator, a.id, { verdict: 'approve', reason: 'Better.' })
		expect(await statusOf(a.id)).toBe('accepted')
		expect(await countRows('editions', documentId)).toBe(0)
		expect(await countRows('annotation_versions', documentId)).toBe(0)

		// Publishing what was accepted is refused while the audience is `none`…
		expect(words(await (await clients.moderator.get(queuePath)).text())).toContain('Accepted, not published')
		const refused = await post(clients.moderator, { intent: 'publishAccepted', documentId })
		expect(refused.status).toBe(409)
		expect(await countRows('annotation_versions', documentId)).toBe(0)

		// …and is a steward's deliberate act once it is widened.
		await setGroup({ audience: 'members' })
		expect((await page(clients.moderator)).text).toContain('Publish accepted (2)')
		const published = await post(clients.moderator, { intent: 'publishAccepted', documentId })
		expect(published.status).toBe(200)
		expect(published.text).toContain('2 accepted items on “Accepted, never published” published')
		expect(await statusOf(a.id)).toBe('published')
		expect(await statusOf(reply.id)).toBe('published')
		expect(await countRows('editions', documentId)).toBe(1)
		expect((await listVersions(app.database.db, a.id)).map((v) => v.standing)).toEqual(['published'])
		expect((await listTransitions(app.database.db, a.id)).at(-1)).toMatchObject({ fromStatus: 'accepted', toStatus: 'published' })
	})
})

describe('publication under a pseudonym', () => {
	test('outside named mode the version carries "Reviewer N" and author_anonymous; the audit log keeps the real name', async () => {
		await setGroup({ audience: 'members', mode: 'anonymous' })
		const documentId = await newDocument('Blind review')
		const a = await annotate(users.reviewer, documentId, 'closes the argument', 'Does it, though?')
		const outcome = await app.server.publication.decide(users.moderator, a.id, { verdict: 'approve', reason: 'Stands.' })
		const number = (await pseudonymNumbers(app.database.db, documentId, [users.reviewer.id])).get(users.reviewer.id)!
		expect(outcome.published).toMatchObject({ authorName: `Reviewer ${number}`, authorAnonymous: true })
		expect(outcome.published!.authorName).not.toContain(users.reviewer.name)
		const trail = await listTransitions(app.database.db, a.id)
		expect(trail.map((t) => t.actorName)).toContain(users.reviewer.name)
		expect(trail.at(-1)!.actorName).toBe(users.moderator.name)

		// Named again: what was published keeps its pseudonym; what is published now names its author.
		await setGroup({ mode: 'named' })
		const b = await annotate(users.reviewer, documentId, 'first paragraph stays', 'Named now.')
		const named = await app.server.publication.decide(users.moderator, b.id, { verdict: 'approve', reason: 'Stands.' })
		expect(named.published).toMatchObject({ authorName: users.reviewer.name, authorAnonymous: false })
		expect((await listVersions(app.database.db, a.id))[0]).toMatchObject({ authorName: `Reviewer ${number}`, authorAnonymous: true })
	})
})

describe('a quorum that cannot stall', () => {
	test('the policy refuses a quorum larger than the stewards, saying why', async () => {
		const refused = await post(clients.owner, { intent: 'policy', requiresApproval: 'on', approvalQuorum: '3' })
		expect(refused.status).toBe(400)
		expect(refused.text).toContain('This group has 2 moderators and owners; a quorum of 3 could never be met.')
		const saved = await post(clients.owner, { intent: 'policy', requiresApproval: 'on', approvalQuorum: '2' })
		expect(saved.status).toBe(200)
		expect(saved.text).toContain('Policy saved: 2 approvals publish a submission.')
	})

	test('an item a steward wrote is shown as unreachable; only an owner overrides it, with a reason, into the audit log', async () => {
		await setGroup({ audience: 'members', mode: 'named' })
		await app.server.publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 2 })
		const documentId = await newDocument('Quorum of two')
		const bySteward = await annotate(users.moderator, documentId, 'the figure is disputed', 'A steward’s own question.')
		const byReviewer = await annotate(users.reviewer, documentId, 'closes the argument', 'A reviewer’s question.')

		const shown = await page(clients.owner)
		expect(shown.text).toContain('Quorum unreachable: 1 eligible steward, quorum 2')
		expect(shown.text).toContain('Override the quorum and publish')
		// The moderator is no owner: they see the state, not the override.
		expect((await page(clients.moderator)).text).not.toContain('Override the quorum and publish')

		expect((await post(clients.moderator, { intent: 'override', annotationId: bySteward.id, reason: 'Please.' })).status).toBe(403)
		const noReason = await post(clients.owner, { intent: 'override', annotationId: bySteward.id, reason: '  ' })
		expect(noReason.status).toBe(400)
		const reachable = await post(clients.owner, { intent: 'override', annotationId: byReviewer.id, reason: 'Hurry.' })
		expect(reachable.status).toBe(409)
		expect(reachable.text).toContain('The quorum can still be met (2 eligible stewards, quorum 2)')
		expect(await statusOf(byReviewer.id)).toBe('submitted')
		expect(await statusOf(bySteward.id)).toBe('submitted')

		const overridden = await post(clients.owner, { intent: 'override', annotationId: bySteward.id, reason: 'Only one other steward can decide; it stands.' })
		expect(overridden.status).toBe(200)
		expect(overridden.text).toContain('published over the unreachable quorum as version 1')
		expect(await statusOf(bySteward.id)).toBe('published')
		const decisions = await app.database.db.select().from(moderationDecisions).where(eq(moderationDecisions.annotationId, bySteward.id))
		expect(decisions).toMatchObject([{ verdict: 'override', moderatorId: users.owner.id, reason: 'Only one other steward can decide; it stands.' }])
		const last = (await listTransitions(app.database.db, bySteward.id)).at(-1)!
		expect(last).toMatchObject({ toStatus: 'published', actorName: users.owner.name })
		expect(last.reason).toContain('Override by an owner (quorum unreachable: 1 eligible steward, quorum 2): Only one other steward can decide; it stands.')
	})

	test('a steward who leaves makes a waiting item unreachable; under `none` the override accepts', async () => {
		await setGroup({ audience: 'none' })
		const documentId = await newDocument('A steward leaves')
		const a = await annotate(users.reviewer, documentId, 'the figure is disputed', 'Waiting for two.')
		await app.server.publication.decide(users.moderator, a.id, { verdict: 'approve', reason: 'One of two.' })
		await changeRole(app.database.db, board, users.moderator.id, 'reviewer')
		try {
			// The moderator's approval no longer counts: only the owner is eligible now.
			expect((await page(clients.owner)).text).toContain('Quorum unreachable: 1 eligible steward, quorum 2')
			const overridden = await post(clients.owner, { intent: 'override', annotationId: a.id, reason: 'The second steward left the board.' })
			expect(overridden.text).toContain('accepted over the unreachable quorum')
			expect(await statusOf(a.id)).toBe('accepted')
			expect(await countRows('editions', documentId)).toBe(0)
		} finally {
			await changeRole(app.database.db, board, users.moderator.id, 'moderator')
			await app.server.publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 1 })
		}
	})
})

describe('retraction at any time', () => {
	test('from the thread, the history page and the queue, each with its notice; members and outsiders may not', async () => {
		await setGroup({ audience: 'members', mode: 'named' })
		const documentId = await newDocument('Retractions')
		const ids = []
		for (const quote of ['first paragraph stays', 'the figure is disputed', 'closes the argument']) {
			const a = await annotate(users.reviewer, documentId, quote, `On “${quote}”.`)
			await app.server.publication.decide(users.moderator, a.id, { verdict: 'approve', reason: 'Stands.' })
			ids.push(a.id)
		}
		const [fromThread, fromHistory, fromQueue] = ids as [string, string, string]

		// The margin's form posts to the history page and comes back to the document.
		const thread = await post(clients.moderator, { intent: 'retract', notice: 'Withdrawn from the thread.', returnTo: `/documents/${documentId}` }, `/annotations/${fromThread}/history`)
		expect(thread.status).toBe(302)
		expect(thread.location).toBe(`/documents/${documentId}`)
		expect((await listVersions(app.database.db, fromThread))[0]).toMatchObject({ standing: 'retracted', retractionNotice: 'Withdrawn from the thread.' })

		const history = await page(clients.owner, `/annotations/${fromHistory}/history`)
		expect(history.text).toContain('Retract the published version')
		expect((await page(clients.reviewer, `/annotations/${fromHistory}/history`)).text).not.toContain('Retract the published version')
		expect((await post(clients.reviewer, { intent: 'retract', notice: 'Mine.' }, `/annotations/${fromHistory}/history`)).status).toBe(403)
		expect((await post(clients.outsider, { intent: 'retract', notice: 'Nope.' }, `/annotations/${fromHistory}/history`)).status).toBe(404)
		const retracted = await post(clients.owner, { intent: 'retract', notice: 'Withdrawn from its history.' }, `/annotations/${fromHistory}/history`)
		expect(retracted.status).toBe(200)
		expect(retracted.text).toContain('Version 1 retracted with your public notice.')
		expect(retracted.text).toContain('Retracted: Withdrawn from its history.')

		expect((await page(clients.moderator)).text).toContain('On “closes the argument”.')
		const queued = await post(clients.moderator, { intent: 'retract', annotationId: fromQueue, notice: 'Withdrawn from the queue.' })
		expect(queued.status).toBe(200)
		expect(queued.text).toContain('version 1 retracted with your public notice')
		for (const [id, notice] of [
			[fromHistory, 'Withdrawn from its history.'],
			[fromQueue, 'Withdrawn from the queue.'],
		] as const) {
			expect((await listVersions(app.database.db, id))[0]).toMatchObject({ standing: 'retracted', retractionNotice: notice })
			expect(await statusOf(id)).toBe('retracted')
		}
	})
})

describe('changes requested', () => {
	test('the reason reaches the author’s thread and the stewards, never another member in an anonymous group', async () => {
		await setGroup({ audience: 'members', mode: 'anonymous' })
		const documentId = await newDocument('Changes requested')
		const a = await annotate(users.reviewer, documentId, 'the figure is disputed', 'Unsourced?')
		const reason = 'Name the source you have in mind, then resubmit.'
		await app.server.publication.decide(users.moderator, a.id, { verdict: 'request_changes', reason })

		const asAuthor = await clients.reviewer.get(`/documents/${documentId}/annotations`)
		const mine = ((await asAuthor.clone().json()) as { annotations: AnnotationView[] }).annotations.find((x) => x.id === a.id)
		expect(mine).toMatchObject({ status: 'changes_requested', decision: { verdict: 'request_changes', reason } })

		const asSteward = ((await (await clients.owner.get(`/documents/${documentId}/annotations`)).json()) as { annotations: AnnotationView[] }).annotations
		expect(asSteward.find((x) => x.id === a.id)?.decision?.reason).toBe(reason)

		const asOther = await clients.reader.get(`/documents/${documentId}/annotations`)
		expect(asOther.status).toBe(200)
		const bytes = await asOther.text()
		expect(bytes).toContain(a.id)
		expect(bytes).not.toContain(reason)
		expect(bytes).not.toContain('"decision"')

		// Resubmitted, the reason has done its work and leaves the thread.
		await app.server.annotations.edit(users.reviewer, a.id, { body: 'Unsourced: which archive?', status: 'submitted' })
		const after = ((await (await clients.reviewer.get(`/documents/${documentId}/annotations`)).json()) as { annotations: AnnotationView[] }).annotations
		expect(after.find((x) => x.id === a.id)?.decision).toBeUndefined()
	})
})

describe('the freeze preview', () => {
	test('counts what carries over, needs confirmation or stays, shows the changed paragraphs, and freezes only on confirmation', async () => {
		await setGroup({ audience: 'members', mode: 'named' })
		const documentId = await newDocument('Revised text')
		for (const quote of ['first paragraph stays exactly', 'a large Siberian city is named', 'will be removed entirely']) {
			const a = await annotate(users.reviewer, documentId, quote, `On “${quote}”.`)
			await app.server.publication.decide(users.moderator, a.id, { verdict: 'approve', reason: 'Stands.' })
		}
		expect(await countRows('editions', documentId)).toBe(1)

		await editParagraph(documentId, 1, (t) => {
			const at = t.toString().indexOf('large')
			t.delete(at, 'large'.length)
			t.insert(at, 'huge')
		})
		await editParagraph(documentId, 2, (t) => {
			t.delete(0, t.length)
			t.insert(0, 'Something else altogether now stands here.')
		})

		const path = `/documents/${documentId}/editions/new`
		expect((await clients.reviewer.get(path)).status).toBe(403)
		expect((await clients.outsider.get(path)).status).toBe(404)
		const response = await clients.moderator.get(path)
		expect(response.status).toBe(200)
		const html = await response.text()
		const shown = words(html)
		expect(shown).toContain('Nothing is frozen yet')
		expect(shown).toContain('1 carried over exactly')
		expect(shown).toContain('1 need a person’s confirmation')
		expect(shown).toContain('1 stay on the old edition')
		expect(shown).toContain('Removed: In the second paragraph a large Siberian city is named')
		expect(shown).toContain('Added: In the second paragraph a huge Siberian city is named')
		expect(shown).toContain('Removed: The third paragraph will be removed entirely')
		expect(shown).toContain('Added: Something else altogether now stands here.')
		expect(await countRows('editions', documentId)).toBe(1)

		// A confirmation of a text that changed after the preview is refused.
		const contentHash = /name="contentHash" value="(sha256:[0-9a-f]{64})"/.exec(html)![1]!
		await editParagraph(documentId, 3, (t) => t.insert(0, 'Finally, '))
		const stale = await post(clients.moderator, { intent: 'confirm', contentHash }, path)
		expect(stale.status).toBe(409)
		expect(stale.text).toContain('The text has changed since the preview')
		expect(await countRows('editions', documentId)).toBe(1)

		const fresh = /name="contentHash" value="(sha256:[0-9a-f]{64})"/.exec(await (await clients.moderator.get(path)).text())![1]!
		expect((await post(clients.reviewer, { intent: 'confirm', contentHash: fresh }, path)).status).toBe(403)
		const frozen = await post(clients.moderator, { intent: 'confirm', contentHash: fresh }, path)
		expect(frozen.status).toBe(200)
		expect(frozen.text).toContain('Edition 2 of “Revised text” frozen; 1 published annotation carried forward, 2 stay on an earlier edition.')
		expect((await listEditions(app.database.db, documentId)).map((e) => e.number)).toEqual([1, 2])
	})
})

