import type { AppLoadContext } from '@remix-run/node'
import type { User } from '#db/queries/accounts.ts'
import type { Group } from '#db/queries/groups.ts'
import { listPseudonyms } from '#db/queries/pseudonyms.ts'
export { pseudonymNumbers } from '#db/queries/pseudonyms.ts'
import { countPublishedUnderNames, setIdentityMode } from '#db/queries/identity-mode.ts'
import { isSteward, presenceIsPseudonymous, pseudonymColor, pseudonymLabel, type IdentityMode } from '#app/policy/identity.ts'
import type { Role } from '#app/policy/permissions.ts'
import { identityLens, type IdentityLens } from '#server/identity/lens.ts'
import { presenceIdentity, type PresenceIdentity } from '#server/identity/presence.ts'

export type { IdentityLens }

/** How the user appears in the document's presence, as their own editor must publish it (never their name in a pseudonymous room). */
export async function ownPresence(context: AppLoadContext, user: User, group: Group, documentId: string): Promise<PresenceIdentity> {
	return presenceIdentity(context.db, { user, mode: group.identityMode, groupKind: group.kind, documentId })
}

/**
 * The stewards' legend of a pseudonymous room: each pseudonym given on the
 * document and whose it is. Empty for anyone else, and where presence shows names.
 */
export async function whoIsWho(
	context: AppLoadContext,
	group: Group,
	role: Role | null,
	documentId: string,
): Promise<{ label: string; color: string; name: string }[]> {
	if (!isSteward(role) || !presenceIsPseudonymous(group.identityMode, group.kind)) return []
	return (await listPseudonyms(context.db, documentId)).map((p) => ({ label: pseudonymLabel(p.number), color: pseudonymColor(p.number), name: p.name }))
}

/** A lens for `user` over `people` on `documentId` (pages that name people: history, members). */
export async function lensFor(
	context: AppLoadContext,
	input: { user: User; role: Role | null; group: Group; documentId: string; people: Iterable<string | null> },
): Promise<IdentityLens> {
	return identityLens(context.db, {
		viewer: { userId: input.user.id, role: input.role },
		mode: input.group.identityMode,
		documentId: input.documentId,
		people: input.people,
	})
}

/** Sets a group's identity mode and has every open document of the group follow it at once (presence, annotations). */
export async function changeIdentityMode(context: AppLoadContext, groupId: string, mode: IdentityMode): Promise<void> {
	await setIdentityMode(context.db, groupId, mode)
	context.access.identityModeChanged(groupId)
}

/** How many of the group's annotations are published under their author's name now. */
export async function publishedUnderNames(context: AppLoadContext, groupId: string): Promise<number> {
	return countPublishedUnderNames(context.db, groupId)
}
