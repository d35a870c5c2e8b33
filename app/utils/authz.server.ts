import type { AppLoadContext } from '@remix-run/node'
import { findDocument, type DocumentRow } from '#db/queries/documents.ts'
import { findGroup, findRole, type Group } from '#db/queries/groups.ts'
import type { User } from '#db/queries/accounts.ts'
import { can, type Action, type Actor, type Role } from '#app/policy/permissions.ts'
import { isUuid } from '#db/ids.ts'
import { invariantResponse, notFound } from './responses.ts'

export interface GroupAccess {
	group: Group
	role: Role | null
	actor: Actor
	/** Asks the permission table about this group for this user. */
	can(action: Action): boolean
}

/**
 * Loads a group and the user's standing in it, and checks `action`.
 * Anything the user may not see is a 404, exactly like something that does
 * not exist, so ids cannot be probed; what they can see but not do is a 403.
 */
export async function requireGroupAccess(
	context: AppLoadContext,
	user: User | null,
	groupId: string | undefined,
	action: Action = 'group.view',
): Promise<GroupAccess> {
	if (!isUuid(groupId)) throw notFound('Group not found.')
	const group = await findGroup(context.db, groupId)
	if (!group) throw notFound('Group not found.')
	const role = user ? await findRole(context.db, group.id, user.id) : null
	const actor: Actor = { userId: user?.id ?? null, role }
	const access: GroupAccess = {
		group,
		role,
		actor,
		can: (a) => can(actor, a, { groupKind: group.kind }),
	}
	if (!access.can('group.view')) throw notFound('Group not found.')
	invariantResponse(access.can(action), 'You do not have permission to do that in this group.', { status: 403 })
	return access
}

export interface DocumentAccess extends GroupAccess {
	document: DocumentRow
}

export async function requireDocumentAccess(
	context: AppLoadContext,
	user: User | null,
	documentId: string | undefined,
	action: Action = 'document.read',
): Promise<DocumentAccess> {
	if (!isUuid(documentId)) throw notFound('Document not found.')
	const document = await findDocument(context.db, documentId)
	if (!document) throw notFound('Document not found.')
	try {
		const access = await requireGroupAccess(context, user, document.groupId, 'document.read')
		invariantResponse(access.can(action), 'You do not have permission to do that to this document.', { status: 403 })
		return { ...access, document }
	} catch (error) {
		// The group's own 404 would name the group; say what the user asked for.
		if (error && typeof error === 'object' && 'init' in error && (error as { init?: ResponseInit }).init?.status === 404) {
			throw notFound('Document not found.')
		}
		throw error
	}
}
