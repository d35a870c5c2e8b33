import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as decoding from 'lib0/decoding'
import { demoDocuments, seedDemo } from '#seeds/demo.ts'
import type { AnnotationEvent, AnnotationView } from '#app/annotations/types.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { collabClient, waitFor, type CollabClient } from '#tests/support/collab-client.ts'
import { FormClient } from '#tests/support/http-client.ts'

let app: TestApp
const documentId = demoDocuments[0].id
const clients: CollabClient[] = []

async function login(email: string) {
	const client = new FormClient(app.url)
	const response = await client.post('/login', { email, password: 'scholion-demo' })
	expect(response.status).toBe(302)
	return client
}

async function command(client: FormClient, body: unknown) {
	const response = await client.request(`/documents/${documentId}/annotations`, {
		method: 'POST',
		headers: { 'Content-Type': 'application/json', Origin: app.origin },
		body: JSON.stringify(body),
	})
	return { status: response.status, json: (await response.json()) as { annotation?: AnnotationView; error?: string } }
}

/** A live viewer collecting annotation events (message 102). */
function viewer(client: FormClient) {
	const events: AnnotationEvent[] = []
	const c = collabClient(app.url, documentId, { cookie: client.cookieHeader, params: { scholion: '1' } })
	c.provider.messageHandlers[102] = (_encoder, decoder) => {
		events.push(JSON.parse(decoding.readVarString(decoder)) as AnnotationEvent)
	}
	clients.push(c)
	return { ...c, events }
}

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
})
afterAll(async () => {
	for (const c of clients) c.destroy()
	await app.close()
})

describe('annotations through the API, live on the document socket', () => {
	test('a reviewer annotates; another viewer sees it appear, replies and endorses; a reader cannot annotate', async () => {
		const reviewer = await login('reviewer@scholion.test')
		const moderator = await login('moderator@scholion.test')
		const reader = await login('reader@scholion.test')
		const author = viewer(reviewer)
		const watcher = viewer(moderator)
		const readerView = viewer(reader)
		await waitFor(() => author.provider.synced && watcher.provider.synced && readerView.provider.synced, 'sync')

		const anchor = anchorFor(author.doc, 'It is reported that in a large Siberian city every third resident was shot')
		const created = await command(reviewer, {
			intent: 'create',
			motivation: 'questioning',
			body: 'Unsourced figure: **which archive?**',
			tags: ['Unsourced', 'hearsay'],
			anchor,
		})
		expect(created.status).toBe(200)
		const annotation = created.json.annotation!
		expect(annotation.anchor?.status).toBe('exact')
		expect(annotation.tags).toEqual(['unsourced', 'hearsay'])
		expect(annotation.bodyHtml).toContain('<strong>which archive?</strong>')
		await waitFor(() => watcher.events.some((e) => e.kind === 'annotation' && e.annotation.id === annotation.id), 'live create')
		await waitFor(() => readerView.events.some((e) => e.kind === 'annotation' && e.annotation.id === annotation.id), 'reader sees it')

		const refused = await command(reader, { intent: 'create', body: 'no', anchor })
		expect(refused.json).toEqual({ error: 'You do not have permission to do that.' })
		expect(refused.status).toBe(403)

		const reply = await command(moderator, { intent: 'reply', parentId: annotation.id, body: 'Agreed: the essay cites nothing.' })
		expect(reply.status).toBe(200)
		await waitFor(() => author.events.some((e) => e.kind === 'annotation' && e.annotation.parentId === annotation.id), 'live reply')

		const endorsed = await command(moderator, { intent: 'endorse', id: annotation.id, endorsed: true })
		expect(endorsed.json.annotation?.endorsementCount).toBe(1)
		expect(endorsed.json.annotation?.endorsedByMe).toBe(true)
		const own = await command(reviewer, { intent: 'endorse', id: annotation.id, endorsed: true })
		expect(own.status).toBe(400)

		// Someone else's annotation cannot be edited; a moderator may remove it.
		const forged = await command(moderator, { intent: 'edit', id: annotation.id, body: 'changed' })
		expect(forged.status).toBe(403)
	})

	test('a draft reaches its author only', async () => {
		const reviewer = await login('reviewer@scholion.test')
		const owner = await login('owner@scholion.test')
		const author = viewer(reviewer)
		const other = viewer(owner)
		await waitFor(() => author.provider.synced && other.provider.synced, 'sync')
		const draft = await command(reviewer, {
			intent: 'create',
			body: 'private note',
			status: 'draft',
			anchor: anchorFor(author.doc, 'Orphans disappeared'),
		})
		expect(draft.status).toBe(200)
		const id = draft.json.annotation!.id
		await waitFor(() => author.events.some((e) => e.kind === 'annotation' && e.annotation.id === id), 'author sees the draft')
		await new Promise((resolve) => setTimeout(resolve, 200))
		expect(other.events.some((e) => e.kind === 'annotation' && e.annotation.id === id)).toBe(false)
		const listed = await owner.get(`/documents/${documentId}/annotations`)
		const { annotations } = (await listed.json()) as { annotations: AnnotationView[] }
		expect(annotations.some((a) => a.id === id)).toBe(false)
	})

	test('edits under an annotation move it or orphan it, and viewers hear of it', async () => {
		const reviewer = await login('reviewer@scholion.test')
		const author = viewer(reviewer)
		await waitFor(() => author.provider.synced, 'sync')
		const created = await command(reviewer, {
			intent: 'create',
			body: 'hedged claim',
			anchor: anchorFor(author.doc, 'They apparently realized this'),
		})
		const id = created.json.annotation!.id
		// Delete the annotated words in the live document: the annotation must become an orphan, not move to similar text.
		const fragment = author.doc.getXmlFragment('prosemirror')
		author.doc.transact(() => {
			for (const paragraph of fragment.toArray()) {
				const text = (paragraph as import('yjs').XmlElement).get(0)
				if (text && 'toString' in text && String(text.toString()).includes('They apparently realized this')) {
					const xmlText = text as import('yjs').XmlText
					const at = xmlText.toString().indexOf('They apparently realized this')
					xmlText.delete(at, 'They apparently realized this'.length)
				}
			}
		})
		await waitFor(
			() => author.events.some((e) => e.kind === 'anchors' && e.anchors.some((a) => a.id === id && a.anchor.status === 'orphaned')),
			'orphaned event',
		)
	})
})
