import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import * as Y from 'yjs'
import { findUserByEmail, type User } from '#db/queries/accounts.ts'
import { addMember } from '#db/queries/groups.ts'
import { demoDocuments, demoGroups, seedDemo } from '#seeds/demo.ts'
import { documentFragmentName } from '#app/editor/yjs.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { anchorFor } from '#tests/support/annotations.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

/**
 * The permission matrix of the published layer: every status of an
 * annotation, for every kind of visitor, on every path that shows
 * annotations (pages, JSON, feeds, the container, both searches). The expected table is written out below; the test builds
 * the same table from real responses and compares the two whole.
 */

const statuses = ['draft', 'submitted', 'changes_requested', 'rejected', 'published', 'retracted', 'pending_edit'] as const
type Status = (typeof statuses)[number]
const visitors = ['anonymous', 'outsider', 'reader', 'author', 'other_reviewer', 'moderator', 'owner'] as const
type Visitor = (typeof visitors)[number]

/** Shown: the annotation's words appear (for a retracted one: it appears, marked retracted). Absent: no trace of it. */
type Seen = 'shown' | 'absent'

// Public paths show the published layer to everyone alike, signed in or not.
const publicRow: Record<Status, Seen> = {
	draft: 'absent',
	submitted: 'absent',
	changes_requested: 'absent',
	rejected: 'absent',
	published: 'shown',
	retracted: 'shown',
	// A published annotation whose edit waits in moderation: the public sees the published words, never the new ones.
	pending_edit: 'shown',
}
const publicPaths = ['reader page', 'permalink', 'version permalink', 'JSON-LD', 'container', 'group feed', 'document feed'] as const
const workspacePaths = ['workspace JSON', 'document page', 'workspace search'] as const
type PathName = (typeof publicPaths)[number] | (typeof workspacePaths)[number] | 'public search'

/**
 * The public search looks for the annotation's own words: the published
 * ones; by default not a retracted text (a checkbox includes it, marked),
 * and never the unpublished wording of an edit.
 */
const publicSearchRow: Record<Status, Seen> = { ...publicRow, retracted: 'absent', pending_edit: 'absent' }

/** What members see in the workspace: everything but others' drafts. Outsiders and anonymous visitors: nothing. */
function workspaceSeen(visitor: Visitor, status: Status): Seen {
	if (visitor === 'anonymous' || visitor === 'outsider') return 'absent'
	if (status === 'draft') return visitor === 'author' ? 'shown' : 'absent'
	return 'shown'
}

const expected: Record<Visitor, Record<Status, Record<PathName, Seen>>> = Object.fromEntries(
	visitors.map((visitor) => [
		visitor,
		Object.fromEntries(
			statuses.map((status) => [
				status,
				{
					...Object.fromEntries(publicPaths.map((p) => [p, publicRow[status]])),
					...Object.fromEntries(workspacePaths.map((p) => [p, workspaceSeen(visitor, status)])),
					'public search': publicSearchRow[status],
				},
			]),
		),
	]),
) as never

let app: TestApp
const documentId = demoDocuments[0].id
const groupId = demoGroups.seminar.id
const ids = {} as Record<Status, string>
/** Words that appear only in that annotation's body (for pending_edit: only in its unpublished new wording). */
const marker = (status: Status) => `zq${status.replace('_', '')}marker`
const clients = {} as Record<Visitor, FormClient>

async function user(email: string): Promise<User> {
	return (await findUserByEmail(app.database.db, email))!
}

beforeAll(async () => {
	app = await startTestApp({ placeAnchorsAfterMs: 20 })
	await seedDemo(app.database.db)
	const { annotations, publication, collab } = app.server
	const [author, moderator, owner] = (await Promise.all(['reviewer', 'moderator', 'owner'].map((r) => user(`${r}@scholion.test`)))) as [User, User, User]
	const quotes = ['It is reported that', 'every third resident', 'large Siberian city', 'the famine was', 'annual death toll', 'growth hormone', 'penal battalions']
	for (const [i, status] of statuses.entries()) {
		const anchor = await collab.withDocument(documentId, (room) => {
			const copy = new Y.Doc()
			Y.applyUpdate(copy, Y.encodeStateAsUpdate(room.doc))
			copy.getXmlFragment(documentFragmentName)
			return anchorFor(copy, quotes[i]!)
		})
		const body = status === 'pending_edit' ? 'The published wording.' : `Body ${marker(status)}.`
		const created = await annotations.create(author, documentId, { motivation: 'commenting', body, tags: [], status: status === 'draft' ? 'draft' : 'submitted', anchor })
		ids[status] = created.id
		if (status === 'changes_requested') await publication.decide(moderator, created.id, { verdict: 'request_changes', reason: 'r' })
		if (status === 'rejected') await publication.decide(moderator, created.id, { verdict: 'reject', reason: 'r' })
		if (status === 'published' || status === 'retracted' || status === 'pending_edit') {
			await publication.decide(moderator, created.id, { verdict: 'approve', reason: 'r' })
		}
		if (status === 'retracted') await publication.retract(owner, created.id, 'Withdrawn for the matrix.')
		if (status === 'pending_edit') await annotations.edit(author, created.id, { body: `New wording ${marker(status)}.` })
	}

	clients.anonymous = new FormClient(app.url)
	clients.outsider = await signUp(app.url, { email: 'outsider@example.test', name: 'Olga Outside' })
	const other = await signUp(app.url, { email: 'second.reviewer@example.test', name: 'Sam Second' })
	await addMember(app.database.db, groupId, (await user('second.reviewer@example.test')).id, 'reviewer')
	clients.other_reviewer = other
	for (const [visitor, email] of [
		['reader', 'reader@scholion.test'],
		['author', 'reviewer@scholion.test'],
		['moderator', 'moderator@scholion.test'],
		['owner', 'owner@scholion.test'],
	] as const) {
		const client = new FormClient(app.url)
		expect((await client.post('/login', { email, password: 'scholion-demo' })).status).toBe(302)
		clients[visitor] = client
	}
})
afterAll(() => app?.close())

/** Fetches each path once per visitor and says, for every status, whether the annotation shows there. */
async function observe(client: FormClient): Promise<Record<Status, Record<PathName, Seen>>> {
	const texts: Partial<Record<PathName, string>> = {}
	const get = async (path: string, headers: Record<string, string> = {}) => {
		const response = await client.get(path, headers)
		return response.status === 200 ? await response.text() : ''
	}
	texts['reader page'] = await get(`/read/${documentId}/e/1`)
	texts.container = await get(`/read/${documentId}/e/1/annotations/`, { Accept: 'application/ld+json' })
	texts['group feed'] = await get(`/feeds/groups/${groupId}.atom`)
	texts['document feed'] = await get(`/feeds/documents/${documentId}.atom`)
	texts['workspace JSON'] = await get(`/documents/${documentId}/annotations`, { Accept: 'application/json' })
	texts['document page'] = await get(`/documents/${documentId}`)
	const row = {} as Record<Status, Record<PathName, Seen>>
	for (const status of statuses) {
		const id = ids[status]
		// Words that prove the annotation is there: its id for pages that list it; never its unpublished wording on a public path.
		const present = (text: string | undefined, path: PathName) => {
			if (!text) return false
			const unpublishedWords = text.includes(marker(status))
			if ((publicPaths as readonly string[]).includes(path) && status === 'pending_edit' && unpublishedWords) {
				throw new Error(`the unpublished wording of an edit reached ${path}`)
			}
			return status === 'pending_edit' && (publicPaths as readonly string[]).includes(path) ? text.includes(id) : text.includes(id) || unpublishedWords
		}
		const single = async (path: string, headers: Record<string, string> = {}) => {
			const text = await get(path, headers)
			return text ? (present(text, 'permalink') ? 'shown' : 'absent') : 'absent'
		}
		row[status] = {
			'reader page': present(texts['reader page'], 'reader page') ? 'shown' : 'absent',
			permalink: await single(`/a/${id}`),
			'version permalink': await single(`/a/${id}/v/1`),
			'JSON-LD': await single(`/a/${id}`, { Accept: 'application/ld+json' }),
			container: present(texts.container, 'container') ? 'shown' : 'absent',
			'group feed': present(texts['group feed'], 'group feed') ? 'shown' : 'absent',
			'document feed': present(texts['document feed'], 'document feed') ? 'shown' : 'absent',
			'workspace JSON': present(texts['workspace JSON'], 'workspace JSON') ? 'shown' : 'absent',
			'document page': present(texts['document page'], 'document page') ? 'shown' : 'absent',
			'workspace search': (await get(`/search?${new URLSearchParams({ q: marker(status) })}`)).includes(id) ? 'shown' : 'absent',
			'public search': (await get(`/read/search?${new URLSearchParams({ q: marker(status) })}`)).includes(id) ? 'shown' : 'absent',
		}
	}
	return row
}

describe('who sees an annotation of each status, on every path', () => {
	for (const visitor of visitors) {
		test(`${visitor}`, async () => {
			expect(await observe(clients[visitor])).toEqual(expected[visitor])
		})
	}

	test('a retracted annotation stays resolvable and says so; its published words are not on the reader page', async () => {
		const page = await (await clients.anonymous.get(`/a/${ids.retracted}`)).text()
		expect(page).toMatch(/Retracted/)
		expect(page).toContain('Withdrawn for the matrix.')
		const reader = await (await clients.anonymous.get(`/read/${documentId}/e/1`)).text()
		expect(reader).not.toContain(marker('retracted'))
	})

	test('forged and unknown ids are 404 on every public path', async () => {
		const forged = '00000000-0000-4000-8000-000000000000'
		for (const path of [`/a/${forged}`, `/a/${forged}/v/1`, `/a/${ids.published}/v/9`, `/a/not-an-id`, `/read/${forged}`, `/read/${documentId}/e/99`, `/read/${forged}/e/1/annotations/`, `/feeds/groups/${forged}.atom`, `/feeds/documents/${forged}.atom`]) {
			expect((await clients.anonymous.get(path)).status, path).toBe(404)
		}
		// A document with no edition is as invisible as a missing one.
		expect((await clients.anonymous.get(`/read/${demoDocuments[2].id}`)).status).toBe(404)
	})
})
