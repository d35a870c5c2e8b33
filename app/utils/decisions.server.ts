import type { AppLoadContext } from '@remix-run/node'
import { findDocument } from '#db/queries/documents.ts'
import { findGroup, findRole } from '#db/queries/groups.ts'
import { isUuid } from '#db/ids.ts'
import { can } from '#app/policy/permissions.ts'
import { decisionRecord, recordMarkdown, type DecisionRecord, type RecordReading } from '#server/record/decisions.ts'
import { notFound } from './responses.ts'
import { getUser } from './session.server.ts'

export { recordMarkdown, type DecisionRecord, type RecordReading }

/**
 * A document's decision record for the signed-in steward, or a 404 for
 * everyone else alike (signed out, outside the group, a member who does not
 * moderate, a forged id): the record is the board's, and not even its
 * existence is anyone else's business. `?for=author` asks for the
 * pseudonymous letter.
 */
export async function requireDecisionRecord(request: Request, context: AppLoadContext, documentId: string | undefined): Promise<DecisionRecord> {
	const missing = () => notFound('Document not found.')
	if (!isUuid(documentId)) throw missing()
	const user = await getUser(request, context)
	if (!user) throw missing()
	const document = await findDocument(context.db, documentId)
	const group = document ? await findGroup(context.db, document.groupId) : null
	if (!document || !group) throw missing()
	const role = await findRole(context.db, group.id, user.id)
	if (!can({ userId: user.id, role }, 'annotation.moderate', { groupKind: group.kind })) throw missing()
	const reading: RecordReading = new URL(request.url).searchParams.get('for') === 'author' ? 'letter' : 'board'
	const record = await decisionRecord(context.db, { documentId: document.id, viewer: { userId: user.id, role }, reading })
	if (!record) throw missing()
	return record
}
