import type { LoaderFunctionArgs } from '@remix-run/node'
import { z } from 'zod'
import { matchMembers, type MemberOption } from '#app/components/notifications/member-search.ts'
import { requireDocumentAccess } from '#app/utils/authz.server.ts'
import { listMembers } from '#app/utils/queries.server.ts'
import { requireUser } from '#app/utils/session.server.ts'

/**
 * The members of a document's group whom the composer offers to @mention:
 * JSON, for members of the group only (anyone else gets the same 404 as for
 * a missing document). Names and colours, never addresses; the asker is
 * left out (mentioning oneself tells nobody anything).
 */

const query = z.object({ q: z.string().max(100, 'Keep the search under 100 characters.').default('') })

export async function loader({ request, context, params }: LoaderFunctionArgs) {
	const user = await requireUser(request, context)
	const parsed = query.safeParse(Object.fromEntries(new URL(request.url).searchParams))
	if (!parsed.success) return Response.json({ error: parsed.error.issues[0]?.message ?? 'Invalid query.' }, { status: 400 })
	let groupId: string
	try {
		groupId = (await requireDocumentAccess(context, user, params.documentId, 'members.view')).group.id
	} catch (error) {
		// A resource route answers with Responses: the thrown data() would lose its status.
		const status = (error as { init?: ResponseInit }).init?.status
		if (status === 404 || status === 403) return Response.json({ error: 'Document not found.' }, { status: 404 })
		throw error
	}
	const members: MemberOption[] = (await listMembers(context.db, groupId))
		.filter((m) => m.userId !== user.id)
		.map((m) => ({ id: m.userId, name: m.name, color: m.color }))
	return Response.json(
		{ members: parsed.data.q ? matchMembers(members, parsed.data.q, 20) : members.slice(0, 1000) },
		{ headers: { 'Cache-Control': 'private, no-store' } },
	)
}
