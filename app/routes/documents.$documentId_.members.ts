import { randomInt } from 'node:crypto'
import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { matchMembers, type MemberOption } from '#app/components/notifications/member-search.ts'
import { requireDocumentAccess } from '#app/utils/authz.server.ts'
import { pseudonymColor, pseudonymLabel, seesRealNames } from '#app/policy/identity.ts'
import { pseudonymNumbers } from '#app/utils/identity.server.ts'
import { listMembers } from '#app/utils/queries.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

/**
 * The members of a document's group whom the composer offers to @mention:
 * JSON, for members of the group only (anyone else gets the same 404 as for
 * a missing document). Names and colours, never addresses; the asker is
 * left out (mentioning oneself tells nobody anything). Where the group's
 * identity mode hides names from the asker, each member is offered as their
 * pseudonym on this document, never by name or id.
 */

const query = z.object({ q: z.string().max(100, 'Keep the search under 100 characters.').default('') })

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams))
	if (!parsed.success) return Response.json({ error: parsed.error.issues[0]?.message ?? 'Invalid query.' }, { status: 400 })
	let access: Awaited<ReturnType<typeof requireDocumentAccess>>
	try {
		access = await requireDocumentAccess(context, user, params.documentId, 'members.view')
	} catch (error) {
		// A resource route answers with Responses: the thrown data() would lose its status.
		const status = (error as { init?: ResponseInit }).init?.status
		if (status === 404 || status === 403) return Response.json({ error: 'Document not found.' }, { status: 404 })
		throw error
	}
	const others = (await listMembers(context.db, access.group.id)).filter((m) => m.userId !== user.id)
	let members: MemberOption[]
	if (seesRealNames(access.group.identityMode, access.role)) {
		members = others.map((m) => ({ id: m.userId, name: m.name, color: m.color }))
	} else {
		// Numbered in random order: numbers given in the list's (alphabetical) order would hint at who is who.
		const ids = others.map((m) => m.userId).sort(() => randomInt(3) - 1)
		const numbers = await pseudonymNumbers(context.db, access.document.id, ids)
		members = [...numbers.values()]
			.sort((a, b) => a - b)
			.map((n) => ({ id: `pseudonym:${n}`, name: pseudonymLabel(n), color: pseudonymColor(n), pseudonym: n }))
	}
	return Response.json(
		{ members: parsed.data.q ? matchMembers(members, parsed.data.q, 20) : members.slice(0, 1000) },
		{ headers: { 'Cache-Control': 'private, no-store' } },
	)
}
