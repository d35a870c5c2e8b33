import { createHash, randomUUID } from 'node:crypto'
import { and, count, eq } from 'drizzle-orm'
import { afterAll, beforeAll, describe, expect, test } from 'vitest'
import { invites, memberships, users } from '#db/schema/index.ts'
import { startTestApp, type TestApp } from '#tests/support/app.ts'
import { FormClient, signUp } from '#tests/support/http-client.ts'

// One app for the file with three people: Olga owns the groups, Nils and
// Rhea start as outsiders. The describe blocks run in order and Nils's
// standing in the seminar changes along the way (outsider, reviewer,
// moderator, removed), as it would for a real member.

let app: TestApp
let olga: FormClient
let nils: FormClient
let rhea: FormClient
const ids = { olga: '', nils: '', rhea: '' }
let seminarId: string
let communityId: string
let documentId: string

const groupNotFound = 'Group not found.'
const documentNotFound = 'Document not found.'
const noPermission = 'You do not have permission to do that in this group.'
const onlyOwner = 'A group needs at least one owner. Make someone else an owner first.'
const deadInvite = 'This invitation has expired or been revoked, or the link is incomplete.'

beforeAll(async () => {
	app = await startTestApp()
	olga = await signUp(app.url, { email: 'olga@example.org', name: 'Olga Owner' })
	nils = await signUp(app.url, { email: 'nils@example.org', name: 'Nils Newcomer' })
	rhea = await signUp(app.url, { email: 'rhea@example.org', name: 'Rhea Outsider' })
	for (const name of ['olga', 'nils', 'rhea'] as const) {
		const [user] = await app.database.db.select().from(users).where(eq(users.email, `${name}@example.org`))
		ids[name] = user!.id
	}
	seminarId = await createGroup(olga, { name: 'Sources seminar', kind: 'seminar', description: 'Closed reading group.' })
	communityId = await createGroup(olga, { name: 'Open readers', kind: 'community', description: 'Anyone may join.' })
	const form = new FormData()
	form.set('title', 'Seminar reading')
	form.set('paste', 'A short text that only the seminar may read.')
	form.set('format', 'txt')
	const imported = await olga.postMultipart(`/groups/${seminarId}/import`, form)
	expect(imported.status).toBe(302)
	documentId = idFrom(imported.headers.get('Location'), '/documents/')
})
afterAll(() => app?.close())

function idFrom(location: string | null, prefix: string) {
	expect(location).toMatch(new RegExp(`^${prefix}[0-9a-f-]{36}$`))
	return location!.slice(prefix.length)
}

async function createGroup(client: FormClient, fields: { name: string; kind: string; description: string }) {
	const response = await client.post('/groups/new', fields)
	expect(response.status).toBe(302)
	return idFrom(response.headers.get('Location'), '/groups/')
}

async function roleOf(groupId: string, userId: string) {
	const [row] = await app.database.db
		.select({ role: memberships.role })
		.from(memberships)
		.where(and(eq(memberships.groupId, groupId), eq(memberships.userId, userId)))
	return row?.role ?? null
}

/** The page's HTML without the empty comments React puts between adjacent text nodes, so text reads as shown. */
async function body(response: Response) {
	return (await response.text()).replaceAll('<!-- -->', '')
}

async function page(client: FormClient, path: string) {
	const response = await client.get(path)
	return { status: response.status, html: await body(response) }
}

/** The error page's visible text, without the per-URL data Remix embeds for scripts. */
function errorSection(html: string) {
	return /<section class="error-page">([\s\S]*?)<\/section>/.exec(html)?.[1] ?? null
}

/** Creates an invite link through the members page and reads it off the page, as the owner would copy it. */
async function createInvite(client: FormClient, groupId: string, role: string) {
	const response = await client.post(`/groups/${groupId}/members`, { intent: 'invite', role, days: '7' })
	expect(response.status).toBe(200)
	const html = await body(response)
	const match = /value="([^"]*\/invite\/([A-Za-z0-9_-]+))"/.exec(html)
	expect(match, 'the invite URL is shown on the page').not.toBeNull()
	expect(match![1]).toBe(`${app.origin}/invite/${match![2]}`)
	return { html, token: match![2]!, path: `/invite/${match![2]}` }
}

const tokenHash = (token: string) => createHash('sha256').update(token).digest('hex')

describe('creating a group', () => {
	test('makes its creator the owner and lists it among their groups', async () => {
		const groupId = await createGroup(olga, { name: 'Close Reading 101', kind: 'editorial_board', description: 'Week by week.' })
		const members = await app.database.db.select().from(memberships).where(eq(memberships.groupId, groupId))
		expect(members.map((m) => ({ userId: m.userId, role: m.role }))).toEqual([{ userId: ids.olga, role: 'owner' }])

		const groupPage = await page(olga, `/groups/${groupId}`)
		expect(groupPage.status).toBe(200)
		expect(groupPage.html).toContain('<h1>Close Reading 101</h1>')
		expect(groupPage.html).toContain('You are an owner.')
		expect(groupPage.html).toContain('Editorial board')
		expect((await page(olga, '/')).html).toContain(`href="/groups/${groupId}">Close Reading 101</a>`)
	})

	test('without a name is refused with a message, keeping the description', async () => {
		const response = await olga.post('/groups/new', { name: '  ', kind: 'seminar', description: 'Kept as typed.' })
		expect(response.status).toBe(400)
		const html = await body(response)
		expect(html).toContain('Give the group a name.')
		expect(html).toContain('Kept as typed.')
	})
})

describe('a seminar, to someone who is not a member', () => {
	const hidden = [
		{ what: 'the group page', path: () => `/groups/${seminarId}`, message: groupNotFound },
		{ what: 'the members page', path: () => `/groups/${seminarId}/members`, message: groupNotFound },
		{ what: 'the import page', path: () => `/groups/${seminarId}/import`, message: groupNotFound },
		{ what: 'a document in it', path: () => `/documents/${documentId}`, message: documentNotFound },
	]
	test.each(hidden)('$what is a 404, exactly like something that does not exist', async ({ path, message }) => {
		const { status, html } = await page(nils, path())
		expect(status).toBe(404)
		expect(html).toContain(message)
		expect(html).not.toContain('Sources seminar')
		expect(html).not.toContain('Seminar reading')
		const missing = await page(nils, path().replace(/[0-9a-f-]{36}/, randomUUID()))
		expect(missing.status).toBe(404)
		expect(errorSection(html)).not.toBeNull()
		expect(errorSection(html)).toBe(errorSection(missing.html))
	})

	const forged = [
		{ path: `/groups/${randomUUID()}`, message: groupNotFound },
		{ path: '/groups/not-a-uuid', message: groupNotFound },
		{ path: "/groups/1'%20or%20'1'='1", message: groupNotFound },
		{ path: `/groups/${randomUUID()}/members`, message: groupNotFound },
		{ path: '/groups/123/import', message: groupNotFound },
		{ path: `/documents/${randomUUID()}`, message: documentNotFound },
		{ path: '/documents/..%2F..%2Fetc', message: documentNotFound },
		{ path: '/documents/5c1ed0c0-0000-4000-8000-00000000000z', message: documentNotFound },
	]
	test.each(forged)('a forged or malformed id ($path) is a 404', async ({ path, message }) => {
		const { status, html } = await page(nils, path)
		expect(status).toBe(404)
		expect(html).toContain(message)
	})

	test('cannot join it by posting the join form', async () => {
		const response = await nils.post(`/groups/${seminarId}`, { intent: 'join' })
		expect(response.status).toBe(404)
		expect(await roleOf(seminarId, ids.nils)).toBeNull()
	})

	test('an anonymous visitor is sent to log in and brought back afterwards', async () => {
		const response = await new FormClient(app.url).get(`/groups/${seminarId}`)
		expect(response.status).toBe(302)
		expect(response.headers.get('Location')).toBe(`/login?redirectTo=${encodeURIComponent(`/groups/${seminarId}`)}`)
	})
})

describe('an open community', () => {
	test('is visible to a signed-in non-member, who can join it as a reader', async () => {
		expect((await page(nils, '/')).html).toContain('Open communities you can join')
		const before = await page(nils, `/groups/${communityId}`)
		expect(before.status).toBe(200)
		expect(before.html).toContain('You are not a member.')
		expect(before.html).toContain('Join this group')

		const join = await nils.post(`/groups/${communityId}`, { intent: 'join' })
		expect(join.status).toBe(302)
		expect(join.headers.get('Location')).toBe(`/groups/${communityId}`)
		expect(await roleOf(communityId, ids.nils)).toBe('reader')
		const after = await page(nils, `/groups/${communityId}`)
		expect(after.html).toContain('You are a reader.')
		expect(after.html).not.toContain('Join this group')
	})

	test('a member cannot join again: 403, and their role is unchanged', async () => {
		const again = await nils.post(`/groups/${communityId}`, { intent: 'join' })
		expect(again.status).toBe(403)
		expect(await body(again)).toContain(noPermission)
		expect(await roleOf(communityId, ids.nils)).toBe('reader')
		const owner = await olga.post(`/groups/${communityId}`, { intent: 'join' })
		expect(owner.status).toBe(403)
		expect(await roleOf(communityId, ids.olga)).toBe('owner')
	})

	test('a reader gets 403 on the import page and sees no import button', async () => {
		const importPage = await page(nils, `/groups/${communityId}/import`)
		expect(importPage.status).toBe(403)
		expect(importPage.html).toContain(noPermission)
		expect((await page(nils, `/groups/${communityId}`)).html).not.toContain('Import a document')
		expect((await page(olga, `/groups/${communityId}`)).html).toContain('Import a document')
	})

	test('a reader can leave it again', async () => {
		const leave = await nils.post(`/groups/${communityId}`, { intent: 'leave' })
		expect(leave.status).toBe(302)
		expect(await roleOf(communityId, ids.nils)).toBeNull()
		expect((await page(nils, `/groups/${communityId}`)).html).toContain('You are not a member.')
	})
})

describe('invite links', () => {
	test('the owner creates a reviewer link; another user opens it and joins as a reviewer', async () => {
		const { html, path } = await createInvite(olga, seminarId, 'reviewer')
		expect(html).toContain('New reviewer link')

		const invitation = await page(nils, path)
		expect(invitation.status).toBe(200)
		expect(invitation.html).toContain('Join Sources seminar')
		expect(invitation.html).toContain('<strong>reviewer</strong>')
		expect(invitation.html).toContain('Accept and join')

		const accept = await nils.post(path, {})
		expect(accept.status).toBe(302)
		expect(accept.headers.get('Location')).toBe(`/groups/${seminarId}`)
		expect(await roleOf(seminarId, ids.nils)).toBe('reviewer')
		expect((await page(nils, `/groups/${seminarId}`)).html).toContain('You are a reviewer.')
		expect((await page(nils, `/documents/${documentId}`)).status).toBe(200)
		expect((await page(olga, `/groups/${seminarId}/members`)).html).toMatch(/Reviewer link, expires [^<]*, used 1 time\b/)
	})

	test('an owner who accepts a reader link stays an owner', async () => {
		const { path } = await createInvite(olga, seminarId, 'reader')
		expect((await page(olga, path)).html).toContain('You are already an owner in this group.')
		const accept = await olga.post(path, {})
		expect(accept.status).toBe(302)
		expect(await roleOf(seminarId, ids.olga)).toBe('owner')
	})

	test('a revoked link is a 404 and lets nobody in', async () => {
		const { token, path } = await createInvite(olga, seminarId, 'reader')
		const [invite] = await app.database.db.select().from(invites).where(eq(invites.tokenHash, tokenHash(token)))
		const revoke = await olga.post(`/groups/${seminarId}/members`, { intent: 'revoke', inviteId: invite!.id })
		expect(revoke.status).toBe(200)

		const opened = await page(rhea, path)
		expect(opened.status).toBe(404)
		expect(opened.html).toContain(deadInvite)
		expect((await rhea.post(path, {})).status).toBe(404)
		expect(await roleOf(seminarId, ids.rhea)).toBeNull()

		const again = await olga.post(`/groups/${seminarId}/members`, { intent: 'revoke', inviteId: invite!.id })
		expect(again.status).toBe(400)
		expect(await body(again)).toContain('That link was already revoked or has expired.')
	})

	test('an expired link is a 404 and lets nobody in', async () => {
		const { token, path } = await createInvite(olga, seminarId, 'moderator')
		expect((await page(rhea, path)).status).toBe(200)
		await app.database.db
			.update(invites)
			.set({ expiresAt: new Date(Date.now() - 60_000) })
			.where(eq(invites.tokenHash, tokenHash(token)))

		const opened = await page(rhea, path)
		expect(opened.status).toBe(404)
		expect(opened.html).toContain(deadInvite)
		expect((await rhea.post(path, {})).status).toBe(404)
		expect(await roleOf(seminarId, ids.rhea)).toBeNull()
	})

	test('a made-up token is a 404 that reads the same', async () => {
		const opened = await page(rhea, '/invite/not-a-real-token')
		expect(opened.status).toBe(404)
		expect(opened.html).toContain(deadInvite)
	})
})

describe('managing members', () => {
	test('a reviewer cannot create invites, change roles or remove anyone (403), and sees no addresses', async () => {
		const members = `/groups/${seminarId}/members`
		const [invitesBefore] = await app.database.db.select({ n: count() }).from(invites)
		const attempts: Record<string, string>[] = [
			{ intent: 'invite', role: 'owner', days: '30' },
			{ intent: 'role', userId: ids.nils, role: 'owner' },
			{ intent: 'role', userId: ids.olga, role: 'reader' },
			{ intent: 'remove', userId: ids.olga },
		]
		for (const fields of attempts) {
			const response = await nils.post(members, fields)
			expect(response.status, fields.intent).toBe(403)
			expect(await body(response)).toContain(noPermission)
		}
		const [invitesAfter] = await app.database.db.select({ n: count() }).from(invites)
		expect(invitesAfter!.n).toBe(invitesBefore!.n)
		expect(await roleOf(seminarId, ids.nils)).toBe('reviewer')
		expect(await roleOf(seminarId, ids.olga)).toBe('owner')

		const view = await page(nils, members)
		expect(view.status).toBe(200)
		expect(view.html).toContain('Olga Owner')
		expect(view.html).not.toContain('olga@example.org')
		expect(view.html).not.toContain('Invite by link')
	})

	test.each([
		{ change: 'demote themselves', fields: () => ({ intent: 'role', userId: ids.olga, role: 'reader' }) },
		{ change: 'remove themselves', fields: () => ({ intent: 'remove', userId: ids.olga }) },
	])('the only owner cannot $change: the page says why and they stay owner', async ({ fields }) => {
		const response = await olga.post(`/groups/${seminarId}/members`, fields())
		expect(response.status).toBe(400)
		expect(await body(response)).toContain(onlyOwner)
		expect(await roleOf(seminarId, ids.olga)).toBe('owner')
	})

	test('the owner makes a reviewer a moderator, who may then import but still not invite', async () => {
		const response = await olga.post(`/groups/${seminarId}/members`, { intent: 'role', userId: ids.nils, role: 'moderator' })
		expect(response.status).toBe(200)
		expect(await roleOf(seminarId, ids.nils)).toBe('moderator')
		const groupPage = await page(nils, `/groups/${seminarId}`)
		expect(groupPage.html).toContain('You are a moderator.')
		expect(groupPage.html).toContain('Import a document')
		expect((await page(nils, `/groups/${seminarId}/import`)).status).toBe(200)
		const invite = await nils.post(`/groups/${seminarId}/members`, { intent: 'invite', role: 'reader', days: '1' })
		expect(invite.status).toBe(403)
	})

	test('the owner removes a member, who then cannot see the seminar at all', async () => {
		const response = await olga.post(`/groups/${seminarId}/members`, { intent: 'remove', userId: ids.nils })
		expect(response.status).toBe(200)
		expect(await roleOf(seminarId, ids.nils)).toBeNull()
		expect((await page(olga, `/groups/${seminarId}/members`)).html).not.toContain('Nils Newcomer')
		expect((await page(nils, `/groups/${seminarId}`)).status).toBe(404)
		expect((await page(nils, `/documents/${documentId}`)).status).toBe(404)
	})
})
