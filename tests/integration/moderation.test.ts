import { eq, sql } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { listTransitions, listVersions } from '#db/queries/publication.ts'
import { groups } from '#db/schema/index.ts'
import { demoDocuments, demoGroups, seedDemo } from '#seeds/demo.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { isAnnotationError } from '#server/annotations/service.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'

let app: TestApp
const board = demoGroups.board.id
const manuscript = demoDocuments[2].id
const users: Record<'owner' | 'moderator' | 'reviewer' | 'reader', User> = {} as never

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	for (const role of ['owner', 'moderator', 'reviewer', 'reader'] as const) {
		users[role] = (await findUserByEmail(app.database.db, `${role}@scholion.test`))!
	}
	// This workflow publishes: the board's layer is public here (approval under `none` is editorial-workflow.test.ts).
	await app.database.db.update(groups).set({ publishedAudience: 'public' }).where(eq(groups.id, board))
})
afterAll(async () => {
	await app?.close()
})

/** The live document's own Y.Doc, as a client would have it, to describe a selection. */
async function anchorOn(documentId: string, quote: string) {
	return app.server.collab.withDocument(documentId, (room) => {
		const copy = new Y.Doc()
		Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
		copy.getXmlFragment(documentFragmentName)
		return anchorFor(copy, quote)
	})
}

async function annotate(author: User, quote: string, body: string, documentId = manuscript) {
	return app.server.annotations.create(author, documentId, {
		motivation: 'questioning',
		body,
		tags: ['unsourced'],
		status: 'submitted',
		anchor: await anchorOn(documentId, quote),
	})
}

/** drizzle wraps the database's error; the trigger's message is in its cause. */
function databaseRefused(pattern: RegExp) {
	return (error: unknown) => {
		const cause = (error as { cause?: { message?: string } }).cause
		return pattern.test(cause?.message ?? String(error))
	}
}

async function refusal(promise: Promise<unknown>) {
	try {
		await promise
	} catch (error) {
		if (isAnnotationError(error)) return { status: error.status, message: error.message }
		throw error
	}
	throw new Error('expected a refusal')
}

describe('moderation workflow on an editorial board with a quorum of two', () => {
	test('submitted → one approval waits → second approval publishes on edition 1 with selectors of its text', async () => {
		const { publication } = app.server
		await publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 2 })
		const quote = 'It is reported that in a large Siberian city every third resident was shot'
		const created = await annotate(users.reviewer, quote, 'Which archive reports this?')
		expect(created.status).toBe('submitted')

		expect(await refusal(publication.decide(users.reviewer, created.id, { verdict: 'approve', reason: 'fine' }))).toMatchObject({ status: 403 })
		expect(await refusal(publication.decide(users.moderator, created.id, { verdict: 'approve', reason: '  ' }))).toMatchObject({ status: 400 })

		const first = await publication.decide(users.moderator, created.id, { verdict: 'approve', reason: 'A fair methodological question.' })
		expect(first).toMatchObject({ status: 'submitted', approvals: 1, quorum: 2, published: null })
		expect(await publication.published.annotation(created.id)).toBeNull()
		expect(await refusal(publication.decide(users.moderator, created.id, { verdict: 'approve', reason: 'again' }))).toMatchObject({ status: 409 })

		const second = await publication.decide(users.owner, created.id, { verdict: 'approve', reason: 'Agreed.' })
		expect(second.status).toBe('published')
		expect(second.published?.number).toBe(1)

		const shown = await publication.published.annotation(created.id)
		expect(shown?.version).toMatchObject({ number: 1, standing: 'published', body: 'Which archive reports this?', author: { name: 'Priya Raman' } })
		expect(shown?.version.edition.number).toBe(1)
		expect(shown?.version.selector?.exact).toBe(quote)
		const edition = await publication.published.edition(manuscript)
		expect(Array.from(edition!.plainText).slice(shown!.version.selector!.start, shown!.version.selector!.end).join('')).toBe(quote)
		expect(edition!.annotations.map((a) => a.annotationId)).toContain(created.id)

		const trail = await listTransitions(app.database.db, created.id)
		expect(trail.map((t) => [t.fromStatus, t.toStatus])).toEqual([
			[null, 'submitted'],
			['submitted', 'submitted'],
			['submitted', 'submitted'],
			['submitted', 'published'],
		])
		expect(trail.every((t) => t.reason.length > 0 && t.actorName.length > 0)).toBe(true)
	})

	test('nobody approves their own annotation', async () => {
		const own = await annotate(users.moderator, 'every third resident was shot', 'Hedged claim: "it is reported".')
		expect(await refusal(app.server.publication.decide(users.moderator, own.id, { verdict: 'approve', reason: 'mine' }))).toMatchObject({ status: 403 })
	})

	test('changes requested → the author resubmits; a rejection is final', async () => {
		const { publication, annotations } = app.server
		const a = await annotate(users.reviewer, 'every third resident', 'Unsourced figure?')
		const asked = await publication.decide(users.moderator, a.id, { verdict: 'request_changes', reason: 'Say which figure.' })
		expect(asked.status).toBe('changes_requested')
		await annotations.edit(users.reviewer, a.id, { body: 'Unsourced figure: "every third resident".' })
		const resubmitted = await annotations.edit(users.reviewer, a.id, { status: 'submitted' })
		expect(resubmitted.status).toBe('submitted')
		const rejected = await publication.decide(users.owner, a.id, { verdict: 'reject', reason: 'Duplicate of an earlier question.' })
		expect(rejected.status).toBe('rejected')
		expect(await refusal(annotations.edit(users.reviewer, a.id, { status: 'submitted' }))).toMatchObject({ status: 409 })
		expect(await publication.published.annotation(a.id)).toBeNull()
	})

	test('editing a published annotation starts a new version; the published one stays up until the new one is approved', async () => {
		const { publication, annotations } = app.server
		await publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 1 })
		const a = await annotate(users.reviewer, 'resident was shot', 'First wording.')
		await publication.decide(users.moderator, a.id, { verdict: 'approve', reason: 'ok' })
		const edited = await annotations.edit(users.reviewer, a.id, { body: 'Second wording.' })
		expect(edited.status).toBe('submitted')
		expect((await publication.published.annotation(a.id))?.version).toMatchObject({ number: 1, body: 'First wording.', standing: 'published' })
		await publication.decide(users.owner, a.id, { verdict: 'approve', reason: 'better' })
		const now = await publication.published.annotation(a.id)
		expect(now?.version).toMatchObject({ number: 2, body: 'Second wording.', standing: 'published' })
		expect(now?.versions.find((v) => v.number === 1)).toMatchObject({ standing: 'superseded', supersededBy: 2, body: 'First wording.' })
		expect(await refusal(annotations.remove(users.reviewer, a.id))).toMatchObject({ status: 409 })

		const retracted = await publication.retract(users.moderator, a.id, 'Retracted at the author’s request: the figure is discussed elsewhere.')
		expect(retracted.standing).toBe('retracted')
		const after = await publication.published.annotation(a.id)
		expect(after?.version).toMatchObject({ number: 2, standing: 'retracted', retraction: { notice: expect.stringContaining('author’s request') } })
	})

	test('the audit log and published versions cannot be rewritten, even by SQL', async () => {
		const db = app.database.db
		await expect(db.execute(sql`update annotation_transitions set reason = 'nothing happened'`)).rejects.toSatisfy(databaseRefused(/append-only/))
		await expect(db.execute(sql`delete from annotation_transitions`)).rejects.toSatisfy(databaseRefused(/append-only/))
		await expect(db.execute(sql`update annotation_versions set body = 'changed'`)).rejects.toSatisfy(databaseRefused(/immutable/))
		await expect(db.execute(sql`update editions set plain_text = ''`)).rejects.toSatisfy(databaseRefused(/append-only/))
	})

	test('a group that needs no approval publishes at submission; readers report, at most five an hour', async () => {
		const { publication } = app.server
		await publication.setPolicy(users.owner, board, { requiresApproval: false, approvalQuorum: 1 })
		const a = await annotate(users.reviewer, 'large Siberian city', 'Which city? No name is given.')
		expect(a.status).toBe('published')
		const [version] = await listVersions(app.database.db, a.id)
		expect(version?.standing).toBe('published')
		for (let i = 0; i < 5; i++) await publication.report(version!.id, `report ${i}`, '127.0.0.9')
		expect(await refusal(publication.report(version!.id, 'one more', '127.0.0.9'))).toMatchObject({ status: 409 })
		const queue = await publication.queue(users.moderator, board)
		expect(queue.reports.length).toBe(5)
		await publication.setPolicy(users.owner, board, { requiresApproval: true, approvalQuorum: 1 })
	})

	test('a new edition carries forward published annotations whose words are unchanged; one whose words were edited stays on its edition', async () => {
		const { publication } = app.server
		const kept = await annotate(users.reviewer, 'Siberian city', 'Kept')
		await publication.decide(users.moderator, kept.id, { verdict: 'approve', reason: 'ok' })
		const before = await publication.published.edition(manuscript)
		// Someone edits the live text: the words of the first demo sentence go.
		const text = before!.plainText
		const victim = text.slice(0, 40)
		const victimAnnotation = await annotate(users.reviewer, victim.slice(5, 30), 'Will be edited away')
		await publication.decide(users.owner, victimAnnotation.id, { verdict: 'approve', reason: 'ok' })
		await app.server.collab.withDocument(manuscript, (room) => {
			const fragment = room.doc.getXmlFragment(documentFragmentName)
			const first = fragment.get(0) as Y.XmlElement
			const textNode = first.get(0) as Y.XmlText
			room.doc.transact(() => textNode.delete(0, Math.min(textNode.length, 35)), 'test')
		})
		const { edition, carried, left } = await publication.freezeEdition(users.moderator, manuscript)
		expect(edition.number).toBe(before!.edition.number + 1)
		expect(carried).toBeGreaterThan(0)
		expect(left).toBeGreaterThanOrEqual(1)
		const second = await publication.published.edition(manuscript, edition.number)
		expect(second!.annotations.map((a) => a.annotationId)).toContain(kept.id)
		expect(second!.annotations.map((a) => a.annotationId)).not.toContain(victimAnnotation.id)
		expect((await publication.published.annotation(victimAnnotation.id))?.version.edition.number).toBe(before!.edition.number)
		expect(await refusal(publication.freezeEdition(users.moderator, manuscript))).toMatchObject({ status: 409 })
		expect(await refusal(publication.freezeEdition(users.reviewer, manuscript))).toMatchObject({ status: 403 })
	})
})

describe('an author’s refused status change', () => {
	test('leaves the words as they were', async () => {
		const { publication, annotations } = app.server
		const a = await annotate(users.reviewer, 'Siberian city every', 'Original words.')
		await publication.decide(users.moderator, a.id, { verdict: 'reject', reason: 'no' })
		expect(await refusal(annotations.edit(users.reviewer, a.id, { body: 'Sneaked in.', status: 'submitted' }))).toMatchObject({ status: 409 })
		const b = await annotate(users.reviewer, 'city every third', 'Published words.')
		await publication.decide(users.owner, b.id, { verdict: 'approve', reason: 'ok' })
		expect(await refusal(annotations.edit(users.reviewer, b.id, { body: 'Changed words.', status: 'draft' }))).toMatchObject({ status: 409 })
		const [record] = await annotations.list(users.reviewer, manuscript).then((all) => all.filter((x) => x.id === b.id))
		expect(record).toMatchObject({ body: 'Published words.', status: 'published' })
	})
})

describe('an annotation left on an earlier edition', () => {
	test('is listed with its approximate place on the latest edition and published there only once a moderator confirms', async () => {
		const { publication, collab } = app.server
		const quote = 'Germans from Volga region were deported in 19 days'
		const a = await annotate(users.reviewer, quote, 'Which deportation orders?')
		await publication.decide(users.moderator, a.id, { verdict: 'approve', reason: 'ok' })
		const before = (await publication.published.annotation(a.id))!.version.edition.number
		// One letter of the annotated words changes in the live text.
		await collab.withDocument(manuscript, (room) => {
			const fragment = room.doc.getXmlFragment(documentFragmentName)
			for (const block of fragment.toArray()) {
				const text = (block as Y.XmlElement).get(0)
				if (!(text instanceof Y.XmlText)) continue
				const at = text.toString().indexOf('Volga region')
				if (at >= 0) room.doc.transact(() => text.delete(at + 2, 1), 'test')
			}
		})
		const { edition, left } = await publication.freezeEdition(users.owner, manuscript)
		expect(left).toBeGreaterThanOrEqual(1)
		const listed = (await publication.onEarlierEditions(users.owner, board)).find((item) => item.record.id === a.id)
		expect(listed).toMatchObject({ editionNumber: before, latestEditionNumber: edition.number, placement: { status: 'fuzzy' } })
		expect(listed!.placement.exact).toContain('Voga region')

		expect(await refusal(publication.carryToLatestEdition(users.owner, a.id, false))).toMatchObject({ status: 409 })
		expect(await refusal(publication.carryToLatestEdition(users.reviewer, a.id, true))).toMatchObject({ status: 403 })
		const carried = await publication.carryToLatestEdition(users.owner, a.id, true)
		expect(carried.number).toBe(2)
		const shown = await publication.published.annotation(a.id)
		expect(shown?.version).toMatchObject({ number: 2, body: 'Which deportation orders?', edition: { number: edition.number } })
		expect(shown?.version.selector?.exact).toContain('Voga region')
		expect(shown?.versions[0]).toMatchObject({ standing: 'superseded', supersededBy: 2 })
		expect((await publication.onEarlierEditions(users.owner, board)).some((item) => item.record.id === a.id)).toBe(false)
	})
})
